using System.CommandLine;
using Prem.Llm.Gguf;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem export --model DIR --format gguf --type f32|f16|bf16|q8_0 [--output FILE]</c>: an HF model folder
/// (weights and tokenizer) to one GGUF file for llama.cpp; and <c>prem export --model FILE.gguf --format hf
/// --output DIR</c>: a GGUF file (f32, f16, bf16 or q8_0) back to an HF folder to fine-tune or run here.
/// </summary>
public static class ExportCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF model folder (gguf), or a .gguf file (hf)", Required = true };
        var format = new Option<string>("--format") { Description = "gguf: folder → GGUF file; hf: GGUF file → HF folder", Required = true };
        format.AcceptOnlyFromAmong("gguf", "hf");
        var type = new Option<string>("--type") { Description = "GGUF weight type: f32, f16, bf16 or q8_0 (norms stay f32)", DefaultValueFactory = _ => "f16" };
        type.AcceptOnlyFromAmong("f32", "f16", "bf16", "q8_0");
        var output = new Option<string?>("--output") { Description = "gguf: the file (default: DIR/model-TYPE.gguf); hf: the folder (required)" };
        var command = new Command("export", "Convert a model: an HF folder to a GGUF file for llama.cpp (ollama, LM Studio, LLamaSharp), or a GGUF file to an HF folder.")
        {
            model, format, type, output,
        };
        command.SetAction(CliAction.Of((parse, stdout) =>
            Run(parse.GetValue(model)!, parse.GetValue(format)!, parse.GetValue(type)!, parse.GetValue(output), stdout)));
        return command;
    }

    /// <summary>Runs the command; returns the exit code (0).</summary>
    public static int Run(string model, string format, string type, string? output, TextWriter stdout)
    {
        if (format == "hf")
        {
            if (!File.Exists(model)) throw new CliError($"--model: GGUF file not found: {model}");
            if (output is null) throw new CliError("--output: give the folder to write (--format hf).");
            if (File.Exists(output)) throw new CliError($"--output: {output} is a file; give a folder.");
            GgufImporter.ToHfFolder(model, output);
            stdout.WriteLine($"wrote {output} (config.json, model.safetensors, tokenizer files)");
            return 0;
        }
        var ggufType = type switch { "f32" => GgufType.F32, "f16" => GgufType.F16, "bf16" => GgufType.BF16, _ => GgufType.Q8_0 };
        string path = OutputFile.Check(output ?? Path.Combine(model, $"model-{type}.gguf"), "--output");
        using var m = ModelFolder.LoadModel(model);
        GgufExporter.Export(m, model, path, ggufType);
        stdout.WriteLine($"wrote {path} ({new FileInfo(path).Length / 1e6:F1} MB, {type})");
        return 0;
    }
}
