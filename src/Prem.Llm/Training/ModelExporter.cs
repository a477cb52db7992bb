using Prem.Llm.Adapters;
using Prem.Llm.Modeling;
using Prem.Llm.Text;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// The one way a trained model leaves the library: an HF model folder plus the tokenizer files that
/// make it load on its own. <see cref="Trainer.ExportModel"/> and the trainer's final export (which
/// recipes use) both come here.
/// </summary>
internal static class ModelExporter
{
    /// <summary>
    /// Writes <paramref name="model"/> into <paramref name="directory"/> in <paramref name="dtype"/> (the weights'
    /// dtype when null) and copies the tokenizer files of <paramref name="tokenizer"/> (a folder, or one tokenizer
    /// file) next to it. The tokenizer is checked before anything is written.
    /// </summary>
    /// <exception cref="TrainingException">The tokenizer folder or file does not exist.</exception>
    internal static void Export(LlamaForCausalLM model, string directory, string? tokenizer = null, ScalarType? dtype = null)
    {
        List<string> files = tokenizer is null ? [] : TokenizerFiles(tokenizer);
        // A LoRA model leaves as its PEFT adapter folder (the base stays where it came from).
        if (LoraModel.Of(model) is { } lora) lora.Save(directory);
        else model.SavePretrained(directory, dtype);
        foreach (var file in files) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
    }

    /// <summary>Writes a LoRA model with its adapters merged as a plain HF folder, with the tokenizer files.</summary>
    internal static void ExportMerged(LlamaForCausalLM model, string directory, string? tokenizer = null, ScalarType? dtype = null)
    {
        List<string> files = tokenizer is null ? [] : TokenizerFiles(tokenizer);
        var lora = LoraModel.Of(model) ?? throw new TrainingException("the model has no LoRA adapters to merge.");
        lora.SaveMerged(directory, dtype);
        foreach (var file in files) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
    }

    /// <summary>The files of <paramref name="tokenizer"/> an export copies: the file itself, or the folder's tokenizer files.</summary>
    /// <exception cref="TrainingException">Neither a folder nor a file.</exception>
    internal static List<string> TokenizerFiles(string tokenizer)
    {
        if (!File.Exists(tokenizer) && !Directory.Exists(tokenizer)) throw new TrainingException("tokenizer folder not found", tokenizer);
        return TokenizerFileSet.In(tokenizer);
    }
}
