using Prem.Llm.Attention;
using Prem.Llm.Evaluation;
using Prem.Llm.Modeling;
using Prem.Llm.Text;

namespace Prem.Llm.Cli;

/// <summary>Opens a model folder for the commands: the model, and its tokenizer when the folder has one.</summary>
public static class ModelFolder
{
    /// <summary>Loads the model in <paramref name="directory"/> with the named attention backend.</summary>
    public static LlamaForCausalLM LoadModel(string directory, string backend = "sdpa")
    {
        if (!Directory.Exists(directory)) throw new CliError($"model folder not found: {directory}");
        if (!File.Exists(Path.Combine(directory, "config.json"))) throw new CliError($"{directory} has no config.json");
        return LlamaForCausalLM.FromPretrained(directory, backend: AttentionBackends.Create(backend));
    }

    /// <summary>The folder's tokenizer (tokenizer.json, tokenizer.model or *.tiktoken), or null when it has none.</summary>
    public static ITextTokenizer? TryLoadTokenizer(string directory) =>
        TokenizerLoader.TryFind(directory) is null ? null : TokenizerLoader.Load(directory);

    /// <summary>The folder as an lm-eval scorer (prefix reuse through the KV cache) and its tokenizer.</summary>
    public static (ILogLikelihoodScorer Scorer, ITextTokenizer Tokenizer) LoadForEvaluation(string directory, int batchSize, int? maxLength)
    {
        if (maxLength is <= 0) throw new CliError($"--max-length must be positive, got {maxLength}.");
        var model = LoadModel(directory);
        var tokenizer = TryLoadTokenizer(directory) ?? throw new CliError($"{directory} has no tokenizer (tokenizer.json, tokenizer.model or *.tiktoken).");
        return (new PrefixReuseScorer(new LlamaPrefixModel(model, maxLength), batchSize), tokenizer);
    }
}
