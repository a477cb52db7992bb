using TorchSharp;
using Prem.Llm.Attention;
using Prem.Llm.Modeling;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Recipes;

/// <summary>Creates the model a recipe starts from: a local HF folder, or a config for training from scratch.</summary>
internal static class RecipeModels
{
    /// <summary>The weight dtype the trainer needs for <paramref name="precision"/> (float32 masters unless pure bf16).</summary>
    public static ScalarType TrainingDtype(TrainingPrecision precision) =>
        precision == TrainingPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>Loads <paramref name="folder"/> onto <paramref name="device"/> (tensor by tensor), with max_position_embeddings overridden when given.</summary>
    public static LlamaForCausalLM FromFolder(string folder, string keyPath, int? maxPositions, ScalarType dtype, IAttentionBackend backend, Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new RecipeException(null, keyPath, $"model folder not found: {folder}");
        if (maxPositions is null) return LlamaForCausalLM.FromPretrained(folder, dtype, backend, device);
        // RoPE tables follow the config, so a longer window only needs a config change; the weights are the same.
        var config = LlamaConfigJson.Load(Path.Combine(folder, "config.json")) with { MaxPositionEmbeddings = maxPositions.Value };
        var model = new LlamaForCausalLM(config, backend, dtype, device);
        try
        {
            model.LoadWeights(folder);
            model.GenerationConfig = GenerationConfigJson.TryLoad(folder);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// A freshly initialised model from <paramref name="config"/> (seeded), built on <paramref name="device"/>: the
    /// initialisation draws from a CPU generator whatever the device, so a seed gives the same weights everywhere.
    /// </summary>
    public static LlamaForCausalLM FromConfig(LlamaConfig config, int? maxPositions, ScalarType dtype, IAttentionBackend backend, long seed, Device? device = null) =>
        new(maxPositions is int n ? config with { MaxPositionEmbeddings = n } : config, backend, dtype, device, seed: seed);

    /// <summary>
    /// Moves <paramref name="model"/> to <paramref name="device"/> in place (parameters and buffers; RoPE tables are
    /// rebuilt per device); nothing to do when it is there already.
    /// </summary>
    public static void ToDevice(LlamaForCausalLM model, Device device)
    {
        if (model.Device.type == device.type && (device.type == TorchSharp.DeviceType.CPU || model.Device.index == device.index)) return;
        model.to(device);
    }

    /// <summary>The dtype of model_args.dtype, or null.</summary>
    public static ScalarType? ExportDtype(string? name) => name is null ? null : LlamaConfigJson.ParseDtype(name, "dtype", null);
}
