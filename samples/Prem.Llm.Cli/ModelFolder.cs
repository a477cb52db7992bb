using Prem.Llm.Attention;
using Prem.Llm.Evaluation;
using Prem.Llm.Modeling;
using Prem.Llm.Recipes;
using TorchSharp;
using Prem.Llm.Text;

namespace Prem.Llm.Cli;

/// <summary>Opens a model folder for the commands: the model, and its tokenizer when the folder has one.</summary>
public static class ModelFolder
{
    /// <summary>
    /// Loads the model in <paramref name="directory"/> with the named attention backend ("eager", "sdpa", "flash" on
    /// CUDA) onto <paramref name="device"/> (the CPU when null).
    /// </summary>
    public static LlamaForCausalLM LoadModel(string directory, string backend = "sdpa", torch.Device? device = null)
    {
        if (!Directory.Exists(directory)) throw new CliError($"model folder not found: {directory}");
        if (!File.Exists(Path.Combine(directory, "config.json"))) throw new CliError($"{directory} has no config.json");
        device ??= Devices.ComputeDevice.Cpu;
        IAttentionBackend attention;
        try
        {
            attention = new RecipeHost().Attention(backend, device, "--attention").Backend;
        }
        catch (RecipeException e)
        {
            throw new CliError(e.Message);
        }
        return LlamaForCausalLM.FromPretrained(directory, backend: attention, device: device);
    }

    /// <summary>The folder's tokenizer (tokenizer.json, tokenizer.model or *.tiktoken), or null when it has none.</summary>
    public static ITextTokenizer? TryLoadTokenizer(string directory) =>
        TokenizerLoader.TryFind(directory) is null ? null : TokenizerLoader.Load(directory);

    /// <summary>The folder as an lm-eval scorer (prefix reuse through the KV cache) and its tokenizer.</summary>
    public static (ILogLikelihoodScorer Scorer, ITextTokenizer Tokenizer) LoadForEvaluation(string directory, int batchSize, int? maxLength, string? device = null)
    {
        if (maxLength is <= 0) throw new CliError($"--max-length must be positive, got {maxLength}.");
        var model = LoadModel(directory, device: CliDevice.Resolve(device));
        var tokenizer = TryLoadTokenizer(directory) ?? throw new CliError($"{directory} has no tokenizer (tokenizer.json, tokenizer.model or *.tiktoken).");
        return (new PrefixReuseScorer(new LlamaPrefixModel(model, maxLength), batchSize), tokenizer);
    }
}
