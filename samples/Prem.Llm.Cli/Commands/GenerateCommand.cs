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
        // Unset sampling flags take the folder's generation_config.json (HF's generate defaults), else greedy, 128 tokens.
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "default: generation_config.json's max_new_tokens or max_length, else 128" };
        var temperature = new Option<double?>("--temperature") { Description = "0 = greedy (default: generation_config.json, else 0)" };
        var topK = new Option<int?>("--top-k") { Description = "0 = off (default: generation_config.json, else 0)" };
        var topP = new Option<double?>("--top-p") { Description = "1 = off (default: generation_config.json, else 1)" };
        var penalty = new Option<double?>("--repetition-penalty") { Description = "1 = off (default: generation_config.json, else 1)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "text or ids", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "ids");
        var truncate = new Option<bool>("--truncate-prompt")
        {
            Description = "Cut a prompt longer than the model's window (max_position_embeddings) from the left so prompt and new tokens fit (default: warn and run past the window)",
        };
        var weights = CliWeights.Option("");
        var stats = new Option<bool>("--stats") { Description = "Print time to first token, prefill and decode tokens/s to stderr" };
        var device = CliDevice.Option("default cpu");
        var attention = new Option<string>("--attention")
        {
            Description = "eager, sdpa or flash (CUDA: our kernel for the prompt's prefill; decode steps behind the KV cache run sdpa)",
            DefaultValueFactory = _ => "sdpa",
        };
        var command = new Command("generate", "Generate a continuation (stops at the EOS ids of generation_config.json, else config.json).")
        {
            model, prompt, promptIds, maxNew, temperature, topK, topP, penalty, seed, format, truncate, weights, stats, device, attention,
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
            var defaults = SamplingOptions.FromGenerationConfig(m.GenerationConfig, m.Config.EosTokenIds, promptTokens.Length);
            int newTokens = parse.GetValue(maxNew) ?? defaults.MaxNewTokens;
            promptTokens = FitWindow(promptTokens, m.Config.MaxPositionEmbeddings, Math.Max(0, newTokens), parse.GetValue(truncate),
                parse.InvocationConfiguration.Error);
            var options = defaults with
            {
                MaxNewTokens = newTokens, Temperature = parse.GetValue(temperature) ?? defaults.Temperature,
                TopK = parse.GetValue(topK) ?? defaults.TopK, TopP = parse.GetValue(topP) ?? defaults.TopP,
                RepetitionPenalty = parse.GetValue(penalty) ?? defaults.RepetitionPenalty, Seed = parse.GetValue(seed),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw CliError.FromArgument(e, _samplingFlags);
            }
            var generator = new TextGenerator(m) { CpuWeights = CliWeights.Parse(parse.GetValue(weights)) };
            IReadOnlyList<int> generated;
            try
            {
                generated = generator.Generate(promptTokens, options);
            }
            catch (NotSupportedException e)
            {
                throw new CliError($"--weights int8: {e.Message}");
            }
            stdout.WriteLine(asIds ? $"{{\"ids\":[{string.Join(",", generated)}]}}" : Continuation(tokenizer!, promptTokens, generated));
            if (parse.GetValue(stats) && generator.LastStats is { } s) parse.InvocationConfiguration.Error.WriteLine(StatsLine(s));
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

    /// <summary>The --stats line: engine, time to first token, prefill and decode rates.</summary>
    public static string StatsLine(GenerationStats s) =>
        FormattableString.Invariant($"prem: stats: {s.Engine}{(s.CpuKernels is { } k ? $" ({k} kernels)" : "")}; prompt {s.PromptTokens} tokens, time to first token {s.TimeToFirstToken.TotalMilliseconds:F1} ms ") +
        FormattableString.Invariant($"(prefill {s.PrefillTokensPerSecond:F1} tok/s); decode {s.DecodeTokens} tokens at {s.DecodeTokensPerSecond:F1} tok/s");

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
