using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prem.Llm.Modeling;
using Prem.Llm.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem score</c>: per-token log-probabilities, argmax and perplexity of each JSONL line
/// (<c>{"ids":[…]}</c>, or <c>{"text":…}</c> when the model folder has a tokenizer).
/// </summary>
public static class ScoreCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF model folder", Required = true };
        var input = new Option<string>("--input") { Description = "JSONL: {\"ids\":[…]} or {\"text\":…} per line", Required = true };
        var output = new Option<string?>("--output") { Description = "output JSONL (default: standard output)" };
        var backend = new Option<string>("--attention") { Description = "eager, sdpa or flash (CUDA)", DefaultValueFactory = _ => "sdpa" };
        var replace = new Option<bool>("--replace-invalid-utf8") { Description = "Replace bytes that are not UTF-8 with U+FFFD and report how many (default: an error naming the byte offset)" };
        var truncate = new Option<bool>("--truncate")
        {
            Description = "Cut a sequence longer than the model's window (max_position_embeddings) from the left (default: warn and score past the window)",
        };
        var device = CliDevice.Option("default cpu");
        var command = new Command("score", "Score token sequences: log p(ids[t+1] | ids[..t]), argmax, NLL and perplexity. An input with no records is an error (exit 1).")
        {
            model, input, output, backend, truncate, replace, device,
        };
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            string? outPath = parse.GetValue(output);
            if (outPath is not null) OutputFile.Check(outPath, "--output");
            using var m = ModelFolder.LoadModel(parse.GetValue(model)!, parse.GetValue(backend)!, CliDevice.Resolve(parse.GetValue(device)));
            using var writer = outPath is null ? null : new StreamWriter(outPath);
            Run(m, ModelFolder.TryLoadTokenizer(parse.GetValue(model)!), parse.GetValue(input)!, writer ?? stdout, parse.InvocationConfiguration.Error, parse.GetValue(truncate),
                parse.GetValue(replace));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Scores every line of <paramref name="inputPath"/> and writes one JSON line per input line. An input with no
    /// records is an error (exit 1), since an empty result is almost always a wrong path. A sequence longer than the
    /// model's window is scored whole with a warning on <paramref name="log"/>, or with <paramref name="truncate"/>
    /// cut from the left to the window (its output line holds the ids scored), with a note.
    /// </summary>
    public static void Run(LlamaForCausalLM model, ITextTokenizer? tokenizer, string inputPath, TextWriter output, TextWriter? log = null, bool truncate = false,
        bool replaceInvalidUtf8 = false)
    {
        if (!File.Exists(inputPath)) throw new CliError($"input file not found: {inputPath}");
        int lineNumber = 0, records = 0;
        foreach (string line in Utf8Input.ReadLines(inputPath, replaceInvalidUtf8, log))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            int[] ids = ParseLine(line, inputPath, lineNumber, tokenizer, model.Config.VocabSize);
            int window = model.Config.MaxPositionEmbeddings;
            if (ids.Length > window)
            {
                int length = ids.Length;
                if (truncate) ids = ids[^window..];
                log?.WriteLine(truncate
                    ? $"prem: note: {inputPath}:{lineNumber}: the sequence ({length} tokens) was cut from the left to its last {window} tokens, the model's window (--truncate)."
                    : $"prem: warning: {inputPath}:{lineNumber}: the sequence ({ids.Length} tokens) is longer than the model's {window}-token window (max_position_embeddings); scored past it, where the model was not trained (--truncate cuts it from the left).");
            }
            output.WriteLine(Score(model, ids));
            records++;
        }
        if (records == 0) throw new CliError($"{inputPath}: no records (the file is empty or all blank); expected one JSON object a line, {{\"ids\": […]}} or {{\"text\": …}}.");
        output.Flush();
    }

    static int[] ParseLine(string line, string path, int lineNumber, ITextTokenizer? tokenizer, int vocab)
    {
        string where = $"{path}:{lineNumber}";
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CliError($"{where}: expected a JSON object.");
            int[] ids;
            if (root.TryGetProperty("ids", out var idsElement))
            {
                if (idsElement.ValueKind != JsonValueKind.Array) throw new CliError($"{where}: \"ids\" must be an array of integers.");
                ids = idsElement.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int v)
                    ? v : throw new CliError($"{where}: \"ids\" must hold integers; found {x.GetRawText()}.")).ToArray();
            }
            else if (root.TryGetProperty("text", out var text))
            {
                if (text.ValueKind != JsonValueKind.String) throw new CliError($"{where}: \"text\" must be a string.");
                if (tokenizer is null) throw new CliError($"{where}: \"text\" needs a tokenizer in the model folder; give \"ids\" instead.");
                ids = [.. tokenizer.Encode(text.GetString()!, addBos: true)];
            }
            else throw new CliError($"{where}: needs \"ids\" or \"text\".");
            if (ids.Length == 0) throw new CliError($"{where}: no tokens to score.");
            foreach (int id in ids)
                if (id < 0 || id >= vocab) throw new CliError($"{where}: token id {id} is outside the vocabulary [0, {vocab}).");
            return ids;
        }
        catch (JsonException e)
        {
            throw new CliError($"{where}: not valid JSON ({e.Message}).");
        }
    }

    /// <summary>One output line for <paramref name="ids"/>.</summary>
    public static string Score(LlamaForCausalLM model, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Length], device: model.Device);
        var logits = model.forward(input)[0].to_type(ScalarType.Float32);
        var argmax = logits.argmax(-1).cpu().data<long>().ToArray();
        double[] logprobs = [];
        if (ids.Length > 1)
        {
            var logSoftmax = logits.narrow(0, 0, ids.Length - 1).log_softmax(-1);
            var next = input[0].narrow(0, 1, ids.Length - 1).unsqueeze(1);
            logprobs = logSoftmax.gather(1, next).squeeze(1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        }
        double? nll = logprobs.Length > 0 ? -logprobs.Average() : null;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            WriteArray(json, "ids", ids.Select(x => (double)x));
            WriteArray(json, "logprobs", logprobs);
            WriteArray(json, "argmax", argmax.Select(x => (double)x));
            if (nll is double n) { json.WriteNumber("nll", n); json.WriteNumber("ppl", Math.Exp(n)); }
            else { json.WriteNull("nll"); json.WriteNull("ppl"); }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<double> values)
    {
        json.WriteStartArray(name);
        foreach (double v in values)
        {
            if (v == Math.Floor(v) && Math.Abs(v) < 1e15) json.WriteNumberValue((long)v);
            else json.WriteRawValue(v.ToString("R", CultureInfo.InvariantCulture));
        }
        json.WriteEndArray();
    }
}
