using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Checkpoints;

/// <summary>Moves a <see cref="LlamaForCausalLM"/>'s weights to and from a HuggingFace model folder.</summary>
public static class HfCheckpoint
{
    /// <summary>HF's default shard limit for <c>save_pretrained</c> (5 GB).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    // Older HF checkpoints carry RoPE tables as buffers; they are recomputed, never loaded.
    static bool IsIgnorable(string key) => key.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>
    /// Copies every weight from <paramref name="directory"/> into <paramref name="model"/>, converting
    /// dtypes, after a strict check that lists all missing and unexpected keys.
    /// </summary>
    public static void LoadWeights(LlamaForCausalLM model, string directory)
    {
        using var checkpoint = SafeTensorsCheckpoint.Open(directory);
        var parameters = model.state_dict();
        var stored = checkpoint.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var missing = parameters.Keys.Where(k => !stored.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = stored.Where(k => !parameters.ContainsKey(k) && !IsIgnorable(k)
            && !(model.Config.TieWordEmbeddings && k == "lm_head.weight")).Order(StringComparer.Ordinal).ToList();
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
            checkpoint.ReadInto(name, parameter);
        }
    }

    /// <summary>Writes config.json and the weights of <paramref name="model"/> to <paramref name="directory"/>.</summary>
    public static void Save(LlamaForCausalLM model, string directory, ScalarType? dtype, long maxShardBytes)
    {
        var target = dtype ?? model.Dtype;
        Directory.CreateDirectory(directory);
        var config = model.Config with { TorchDtype = LlamaConfigJson.DtypeName(target) };
        SafeTensorsCheckpoint.Save(directory, model.state_dict(), maxShardBytes, target);
        LlamaConfigJson.Save(config, Path.Combine(directory, "config.json"));
    }

    static string List(List<string> keys) =>
        keys.Count == 0 ? "none" : string.Join(", ", keys.Take(20)) + (keys.Count > 20 ? $", … ({keys.Count - 20} more)" : "");
}
