using static TorchSharp.torch;

namespace Prem.Llm.Checkpoints;

/// <summary>
/// Moves a module's state dict to and from the weights of a HuggingFace model folder
/// (model.safetensors or a sharded index). It knows no model: the caller passes the state dict and
/// says which stored keys a model may leave unused; <c>LlamaForCausalLM.FromPretrained</c> and
/// <c>SavePretrained</c> build on it.
/// </summary>
internal static class HfCheckpoint
{
    /// <summary>HF's default shard limit for <c>save_pretrained</c> (5 GB).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>
    /// Copies every tensor of <paramref name="parameters"/> from the weights in
    /// <paramref name="directory"/>, converting dtypes, after a strict check that lists all missing
    /// and unexpected keys.
    /// </summary>
    /// <param name="parameters">The state dict to fill, by HF key.</param>
    /// <param name="directory">The model folder.</param>
    /// <param name="isIgnorable">Stored keys the model does not need (e.g. recomputed buffers); none when null.</param>
    /// <param name="map">Point CPU tensors of the stored dtype at a private memory map of the file instead of
    /// copying (<see cref="SafeTensorsFile.TryMapInto"/>): for tensors whose own storage is new and unused
    /// (a model built without initialisation); the rest are copied.</param>
    /// <exception cref="HfCheckpointException">Keys or shapes differ; the message lists them.</exception>
    public static void LoadWeights(IReadOnlyDictionary<string, Tensor> parameters, string directory, Func<string, bool>? isIgnorable = null, bool map = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var checkpoint = SafeTensorsCheckpoint.Open(directory);
        var stored = checkpoint.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var missing = parameters.Keys.Where(k => !stored.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = stored.Where(k => !parameters.ContainsKey(k) && !(isIgnorable?.Invoke(k) ?? false))
            .Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new HfCheckpointException($"{directory}: the weights do not match the config. " +
                $"Missing ({missing.Count}): {List(missing)}. Unexpected ({unexpected.Count}): {List(unexpected)}.");

        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            long[] shape = checkpoint.GetInfo(name).Shape;
            if (!shape.SequenceEqual(parameter.shape))
                throw new HfCheckpointException($"{directory}: tensor {name} has shape [{string.Join(", ", shape)}]; " +
                    $"the config needs [{string.Join(", ", parameter.shape)}].");
            if (!map || !checkpoint.TryMapInto(name, parameter)) checkpoint.ReadInto(name, parameter);
        }
    }

    static string List(List<string> keys) =>
        keys.Count == 0 ? "none" : string.Join(", ", keys.Take(20)) + (keys.Count > 20 ? $", … ({keys.Count - 20} more)" : "");
}
