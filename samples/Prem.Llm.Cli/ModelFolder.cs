using Prem.Llm.Attention;
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

    /// <summary>The folder's tokenizer, or null when it has none.</summary>
    public static ITextTokenizer? TryLoadTokenizer(string directory) => TokenizerFactory(directory);

    /// <summary>How a folder's tokenizer is loaded (replaceable for hosts with their own tokenizers).</summary>
    public static Func<string, ITextTokenizer?> TokenizerFactory { get; set; } = _ => null;
}
