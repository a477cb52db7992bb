using System.CommandLine;
using System.Diagnostics;
using Prem.Llm.AI;
using Prem.Llm.Cli.Commands;
using Prem.Llm.Tests.AI;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Cli;

public class ChatCommandTests
{
    /// <summary>Runs `prem chat` in-process with <paramref name="script"/> as its standard input.</summary>
    static (int Exit, string Out, string Err) Chat(string script, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { ChatCommand.Create(new StringReader(script)) };
        int exit = root.Parse(["chat", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The reference answer: the model's greedy reply to <paramref name="messages"/>, through the library.</summary>
    static async Task<string> Reply(ChatModel model, int maxNew, params ChatMessage[] messages)
    {
        var prompt = model.EncodePrompt(messages);
        var text = new System.Text.StringBuilder();
        await foreach (var d in model.StreamAsync(prompt, model.Sampling() with { MaxNewTokens = maxNew })) text.Append(d.Text);
        return text.ToString();
    }

    static ChatMessage User(string text) => new(ChatMessage.User, text);

    static ChatMessage Assistant(string text) => new(ChatMessage.Assistant, text);

    [Fact]
    public async Task Scripted_turns_keep_the_history_reset_forgets_it_and_system_replaces_the_system_message()
    {
        string script = "Tell me a story\nAgain\n/reset\nTell me a story\n/system You are a poet.\nTell me a story\n/exit\nNever read\n";
        var run = Chat(script, "--model", ChatTestModels.Stories, "--max-new-tokens", "12");
        Assert.True(run.Exit == 0, run.Err);

        using var model = ChatModel.Load(ChatTestModels.Stories);
        string a1 = await Reply(model, 12, User("Tell me a story"));
        string a2 = await Reply(model, 12, User("Tell me a story"), Assistant(a1), User("Again"));
        // /system replaces the system message and keeps the turns (here the exchange after /reset).
        string a4 = await Reply(model, 12, new ChatMessage(ChatMessage.System, "You are a poet."), User("Tell me a story"), Assistant(a1), User("Tell me a story"));
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a1, a4);
        string expected = $"{a1}\n{a2}\n{a1}\n{a4}\n", actual = run.Out.ReplaceLineEndings("\n");
        Assert.True(expected == actual, $"expected:\n{expected}\nactual:\n{actual}");

        // Tokens/s after each answer, the commands' confirmations, nothing after /exit.
        var rates = run.Err.Split('\n').Where(l => l.StartsWith("[12 tokens, ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rates.Count);
        Assert.All(rates, r => Assert.Contains(" tok/s, first token after ", r));
        Assert.Contains("prem: conversation reset.", run.Err);
        Assert.Contains("prem: system message set.", run.Err);
    }

    [Fact]
    public async Task Context_files_go_into_the_system_message_and_the_end_of_input_ends_the_chat()
    {
        string dir = TestData.TempDirectory();
        string notes = Path.Combine(dir, "notes.txt"), pets = Path.Combine(dir, "pets.md");
        File.WriteAllText(notes, "Lily has a red ball.\n");
        File.WriteAllText(pets, "Tom has a big dog named Max.");
        var run = Chat("What does Lily have?\n", "--model", ChatTestModels.Stories, "--system", "Be brief.", "--context", notes, pets, "--max-new-tokens", "10");
        Assert.True(run.Exit == 0, run.Err);

        using var model = ChatModel.Load(ChatTestModels.Stories);
        string system = DocumentContext.SystemMessage([("notes.txt", "Lily has a red ball.\n"), ("pets.md", "Tom has a big dog named Max.")], "Be brief.");
        Assert.StartsWith("Be brief.\n\n### notes.txt\nLily has a red ball.\n\n### pets.md\nTom has", system);
        string expected = await Reply(model, 10, new ChatMessage(ChatMessage.System, system), User("What does Lily have?"));
        Assert.Equal(expected + "\n", run.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Unknown_commands_and_sampling_flags_are_explained()
    {
        var run = Chat("/frobnicate now\n/help\n/exit\n", "--model", ChatTestModels.Stories);
        Assert.Equal(0, run.Exit);
        Assert.Contains("prem: unknown command /frobnicate; commands: /reset", run.Err);
        Assert.Contains("prem: commands: /reset (forget the conversation), /system TEXT", run.Err);
        Assert.Equal("", run.Out);

        var bad = Chat("hi\n", "--model", ChatTestModels.Stories, "--top-p", "0");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("prem: error: --top-p must be in (0, 1], got 0.", bad.Err);
    }

    [Fact]
    public void Missing_files_and_documents_too_long_for_the_window_fail_with_one_line()
    {
        var missing = Chat("hi\n", "--model", ChatTestModels.Stories, "--context", Path.Combine(TestData.TempDirectory(), "absent.txt"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("prem: error: --context: file not found", missing.Err);

        string big = TestData.TempFile("big.txt");
        File.WriteAllText(big, string.Concat(Enumerable.Repeat("Once upon a time there was a dog. ", 200)));
        var tooLong = Chat("hi\n", "--model", ChatTestModels.Stories, "--context", big);
        Assert.Equal(1, tooLong.Exit);
        Assert.Contains("tokens; the model's context window is 512.", tooLong.Err);

        var noFolder = Chat("hi\n", "--model", Path.Combine(TestData.TempDirectory(), "none"));
        Assert.Equal(1, noFolder.Exit);
        Assert.Contains("prem: error: model folder not found", noFolder.Err);
    }

    [Fact]
    public void A_long_conversation_forgets_its_oldest_exchanges_to_fit_the_window()
    {
        // 64-token answers and long questions: the 512-token window fills after a few turns.
        string question = string.Concat(Enumerable.Repeat("Tell me more about the little dog and the big red ball. ", 3));
        var run = Chat(string.Concat(Enumerable.Repeat(question + "\n", 6)), "--model", ChatTestModels.Stories, "--max-new-tokens", "64");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Equal(6, run.Err.Split('\n').Count(l => l.StartsWith("[", StringComparison.Ordinal)));
        Assert.Contains("oldest exchange(s) were forgotten to fit the model's 512-token window", run.Err);
    }

    [Fact]
    public async Task The_installed_command_reads_turns_from_its_standard_input()
    {
        // prem as a user runs it: a separate process, turns piped into standard input, the answers on standard output.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "prem.dll"), "chat", "--model", ChatTestModels.Stories, "--max-new-tokens", "10" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync("Hello\n/reset\nHello\n");
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "prem chat did not end at the end of its input");
        Assert.True(process.ExitCode == 0, await stderr);

        using var model = ChatModel.Load(ChatTestModels.Stories);
        string answer = await Reply(model, 10, User("Hello"));
        // No "> " prompt when the input is not a terminal: standard output holds the answers alone.
        Assert.Equal($"{answer}\n{answer}\n", (await stdout).ReplaceLineEndings("\n"));
        Assert.Equal(2, (await stderr).Split('\n').Count(l => l.StartsWith("[10 tokens, ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_chat_command_is_part_of_prem()
    {
        var help = CliRun.Prem("chat", "--help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("--context", help.Out);
        Assert.Contains("/reset", help.Out);
    }
}
