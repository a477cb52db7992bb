using System.CommandLine;
using Prem.Llm.Generation;
using Prem.Llm.Text;

namespace Prem.Llm.Cli.Commands;

/// <summary><c>prem generate</c>: continue a prompt given as text (needs a tokenizer) or as ids.</summary>
public static class GenerateCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF model folder", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "prompt text (encoded with BOS)" };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "prompt token ids, comma-separated" };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 128 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy", DefaultValueFactory = _ => 0.0 };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0 };
        var penalty = new Option<double>("--repetition-penalty") { DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "text or ids", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "ids");
        var truncate = new Option<bool>("--truncate-prompt")
        {
            Description = "Cut a prompt longer than the model's window (max_position_embeddings) from the left so prompt and new tokens fit (default: warn and run past the window)",
        };
        var device = CliDevice.Option("default cpu");
        var attention = new Option<string>("--attention")
        {
            Description = "eager, sdpa or flash (CUDA: our kernel for the prompt's prefill; decode steps behind the KV cache run sdpa)",
            DefaultValueFactory = _ => "sdpa",
        };
        var command = new Command("generate", "Generate a continuation (stops at the model's EOS ids).")
        {
            model, prompt, promptIds, maxNew, temperature, topK, topP, penalty, seed, format, truncate, device, attention,
        };
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            string dir = parse.GetValue(model)!;
            string? text = parse.GetValue(prompt), ids = parse.GetValue(promptIds);
            if ((text is null) == (ids is null)) throw new CliError("give exactly one of --prompt and --prompt-ids.");
            bool asIds = parse.GetValue(format) == "ids";
            using var m = ModelFolder.LoadModel(dir, parse.GetValue(attention)!, CliDevice.Resolve(parse.GetValue(device)));
            var tokenizer = ModelFolder.TryLoadTokenizer(dir);
            if ((text is not null || !asIds) && tokenizer is null)
                throw new CliError($"{dir} has no tokenizer: use --prompt-ids and --format ids.");
            int[] promptTokens = text is not null ? [.. tokenizer!.Encode(text, addBos: true)] : ParseIds(ids!);
            promptTokens = FitWindow(promptTokens, m.Config.MaxPositionEmbeddings, Math.Max(0, parse.GetValue(maxNew)), parse.GetValue(truncate),
                parse.InvocationConfiguration.Error);
            var options = new SamplingOptions
            {
                MaxNewTokens = parse.GetValue(maxNew), Temperature = parse.GetValue(temperature), TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP), RepetitionPenalty = parse.GetValue(penalty), Seed = parse.GetValue(seed),
                StopTokenIds = m.Config.EosTokenIds,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw CliError.FromArgument(e, _samplingFlags);
            }
            var generated = new TextGenerator(m).Generate(promptTokens, options);
            stdout.WriteLine(asIds ? $"{{\"ids\":[{string.Join(",", generated)}]}}" : Continuation(tokenizer!, promptTokens, generated));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// A prompt that does not leave room for <paramref name="maxNew"/> tokens in the model's <paramref name="window"/>:
    /// with <paramref name="truncate"/> cut from the left to <c>window − maxNew</c> tokens (at least one) and say so,
    /// otherwise kept whole with a warning that the model runs past its trained window.
    /// </summary>
    public static int[] FitWindow(int[] prompt, int window, int maxNew, bool truncate, TextWriter log)
    {
        if (prompt.Length + maxNew <= window) return prompt;
        if (truncate)
        {
            int keep = Math.Min(prompt.Length, Math.Max(1, window - maxNew));
            if (keep < prompt.Length)
                log.WriteLine($"prem: note: the prompt ({prompt.Length} tokens) was cut from the left to its last {keep} tokens to fit the model's {window}-token window with --max-new-tokens {maxNew} (--truncate-prompt).");
            return prompt[^keep..];
        }
        log.WriteLine($"prem: warning: the prompt ({prompt.Length} tokens) and --max-new-tokens {maxNew} run past the model's {window}-token window " +
                      "(max_position_embeddings), where it was not trained; --truncate-prompt cuts the prompt from the left instead.");
        return prompt;
    }

    static readonly Dictionary<string, string> _samplingFlags = new()
    {
        ["MaxNewTokens"] = "--max-new-tokens", ["Temperature"] = "--temperature", ["TopK"] = "--top-k",
        ["TopP"] = "--top-p", ["RepetitionPenalty"] = "--repetition-penalty",
    };

    /// <summary>
    /// The text the new tokens add to the prompt. Decoding them alone would drop the first token's
    /// leading space (SentencePiece strips it at the start of a text), so decode both and subtract.
    /// </summary>
    public static string Continuation(ITextTokenizer tokenizer, IReadOnlyList<int> prompt, IReadOnlyList<int> generated)
    {
        string head = tokenizer.Decode(prompt);
        string full = tokenizer.Decode([.. prompt, .. generated]);
        return full.StartsWith(head, StringComparison.Ordinal) ? full[head.Length..] : tokenizer.Decode(generated);
    }

    /// <summary>Parses "1,2,3" into ids; errors name the bad item.</summary>
    public static int[] ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return parts.Select(p => int.TryParse(p, out int v) && v >= 0 ? v
            : throw new CliError($"--prompt-ids: \"{p}\" is not a token id (expected comma-separated non-negative integers).")).ToArray();
    }
}
