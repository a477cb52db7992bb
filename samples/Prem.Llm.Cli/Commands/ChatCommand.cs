using System.CommandLine;
using System.Globalization;
using Prem.Llm.AI;
using Prem.Llm.Generation;
using Prem.Llm.Recipes;
using Prem.Llm.Text;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem chat --model DIR</c>: an interactive chat in the terminal with the folder's chat template. Each line read is a
/// user turn; the reply streams to standard output as it is generated, and tokens/s follow on standard error.
/// <c>/reset</c> starts over, <c>/system TEXT</c> replaces the system message, <c>/exit</c> (or end of input) quits.
/// <c>--context FILE…</c> puts documents in the system message for answers grounded in them.
/// </summary>
public static class ChatCommand
{
    /// <summary>The help the <c>/help</c> command prints.</summary>
    public const string Help = "commands: /reset (forget the conversation), /system TEXT (replace the system message; /system alone removes it), /help, /exit";

    /// <summary>The command definition; turns are read from <paramref name="input"/> (standard input when null).</summary>
    public static Command Create(TextReader? input = null)
    {
        var model = new Option<string>("--model") { Description = "HF model folder with a tokenizer (and ideally a chat_template)", Required = true };
        var system = new Option<string?>("--system") { Description = "system message" };
        var context = new Option<string[]>("--context")
        {
            Description = "text files placed in the conversation (in the system message, under their names) to ground the answers",
            AllowMultipleArgumentsPerToken = true,
        };
        var template = new Option<string?>("--chat-template") { Description = "FILE (Jinja or tokenizer_config.json) or llama3 (default: the folder's chat_template, else llama3)" };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "most tokens per answer (default: generation_config.json's, else 128)" };
        var temperature = new Option<double?>("--temperature") { Description = "0 = greedy (default: generation_config.json, else 0)" };
        var topK = new Option<int?>("--top-k") { Description = "0 = off (default: generation_config.json, else 0)" };
        var topP = new Option<double?>("--top-p") { Description = "1 = off (default: generation_config.json, else 1)" };
        var penalty = new Option<double?>("--repetition-penalty") { Description = "1 = off (default: generation_config.json, else 1)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var weights = CliWeights.Option("");
        var device = CliDevice.Option("default cpu");
        var attention = new Option<string>("--attention") { Description = "eager, sdpa or flash", DefaultValueFactory = _ => "sdpa" };
        var command = new Command("chat", "Chat with a model in the terminal: streamed answers, the folder's chat template, /reset, /system TEXT, /exit.")
        {
            model, system, context, template, maxNew, temperature, topK, topP, penalty, seed, weights, device, attention,
        };
        command.SetAction(CliAction.OfAsync(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string dir = parse.GetValue(model)!;
            if (!Directory.Exists(dir)) throw new CliError($"model folder not found: {dir}");
            var documents = (parse.GetValue(context) ?? []).Select(f => File.Exists(f)
                ? (Path.GetFileName(f), Utf8Input.ReadAllText(f)) : throw new CliError($"--context: file not found: {f}")).ToList();
            var onDevice = CliDevice.Resolve(parse.GetValue(device));
            Attention.IAttentionBackend backend;
            try
            {
                backend = new RecipeHost().Attention(parse.GetValue(attention)!, onDevice, "--attention").Backend;
            }
            catch (RecipeException e)
            {
                throw new CliError(e.Message);
            }
            using var chat = ChatModel.Load(dir, new ChatModelOptions
            {
                ChatTemplate = parse.GetValue(template), Device = onDevice, Attention = backend,
                CpuWeights = CliWeights.Parse(parse.GetValue(weights)),
                Notice = note => stderr.WriteLine("prem: note: " + note),
            });
            var defaults = chat.Sampling();
            var sampling = defaults with
            {
                MaxNewTokens = parse.GetValue(maxNew) ?? defaults.MaxNewTokens, Temperature = parse.GetValue(temperature) ?? defaults.Temperature,
                TopK = parse.GetValue(topK) ?? defaults.TopK, TopP = parse.GetValue(topP) ?? defaults.TopP,
                RepetitionPenalty = parse.GetValue(penalty) ?? defaults.RepetitionPenalty, Seed = parse.GetValue(seed),
            };
            try
            {
                sampling.Validate();
                if (sampling.MaxNewTokens == 0) throw new ArgumentException("MaxNewTokens must be ≥ 1 for a chat, got 0.", nameof(SamplingOptions.MaxNewTokens));
            }
            catch (ArgumentException e)
            {
                throw CliError.FromArgument(e, _samplingFlags);
            }

            string? instructions = parse.GetValue(system);
            string? SystemMessage() => documents.Count > 0 ? DocumentContext.SystemMessage(documents, instructions) : instructions;
            var conversation = new ChatConversation(SystemMessage());
            int fixedTokens = chat.EncodePrompt(conversation.Messages("")).Count;
            if (documents.Count > 0 && fixedTokens >= chat.ContextLength)
                throw new CliError($"--context: the documents take {fixedTokens} tokens; the model's context window is {chat.ContextLength}.");
            bool interactive = input is null && !Console.IsInputRedirected;
            var reader = input ?? Console.In;
            if (interactive) stderr.WriteLine($"prem: chatting with {chat.Name} ({Help}).");
            while (true)
            {
                if (interactive) { stdout.Write("> "); stdout.Flush(); }
                string? line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null) break;
                line = line.Trim();
                if (line.Length == 0) continue;
                if (line is "/exit" or "/quit") break;
                if (line == "/reset")
                {
                    conversation.Reset();
                    stderr.WriteLine("prem: conversation reset.");
                    continue;
                }
                if (line == "/system" || line.StartsWith("/system ", StringComparison.Ordinal))
                {
                    instructions = line.Length > "/system".Length ? line["/system ".Length..].Trim() : null;
                    conversation.System = SystemMessage();
                    stderr.WriteLine(instructions is null ? "prem: system message removed." : "prem: system message set.");
                    continue;
                }
                if (line == "/help")
                {
                    stderr.WriteLine("prem: " + Help);
                    continue;
                }
                if (line.StartsWith('/'))
                {
                    stderr.WriteLine($"prem: unknown command {line.Split(' ')[0]}; {Help}");
                    continue;
                }
                await Answer(chat, conversation, line, sampling, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }
            if (interactive) stdout.WriteLine();
            return 0;
        }));
        return command;
    }

    /// <summary>One turn: streams the reply to <paramref name="stdout"/>, then the token rate to <paramref name="stderr"/>.</summary>
    static async Task Answer(ChatModel chat, ChatConversation conversation, string question, SamplingOptions sampling, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<int> prompt;
        try
        {
            (prompt, int forgotten) = conversation.Prompt(chat, question, Math.Min(sampling.MaxNewTokens, chat.ContextLength / 4));
            if (forgotten > 0) stderr.WriteLine($"prem: note: the {forgotten} oldest exchange(s) were forgotten to fit the model's {chat.ContextLength}-token window.");
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine(CliAction.ErrorPrefix + CliAction.WithoutParameterTail(e));
            return;
        }
        var reply = new System.Text.StringBuilder();
        ChatDelta? last = null;
        await foreach (var delta in chat.StreamAsync(prompt, sampling, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (delta.Text.Length > 0)
            {
                reply.Append(delta.Text);
                stdout.Write(delta.Text);
                stdout.Flush();
            }
            last = delta;
        }
        stdout.WriteLine();
        conversation.Add(question, reply.ToString());
        stderr.WriteLine(RateLine(last!));
    }

    /// <summary>The line after each answer: tokens, tokens/s of the decode, time to first token, and a note when the limit cut it.</summary>
    public static string RateLine(ChatDelta last)
    {
        ArgumentNullException.ThrowIfNull(last);
        var s = last.Stats;
        string rate = s is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $", {s.DecodeTokensPerSecond:F1} tok/s, first token after {s.TimeToFirstToken.TotalMilliseconds:F0} ms");
        string cut = last.Finish == ChatFinish.Length ? "; cut at --max-new-tokens (or the context window)" : "";
        return $"[{last.OutputTokens} tokens{rate}{cut}]";
    }

    static readonly Dictionary<string, string> _samplingFlags = new()
    {
        ["MaxNewTokens"] = "--max-new-tokens", ["Temperature"] = "--temperature", ["TopK"] = "--top-k",
        ["TopP"] = "--top-p", ["RepetitionPenalty"] = "--repetition-penalty",
    };
}
