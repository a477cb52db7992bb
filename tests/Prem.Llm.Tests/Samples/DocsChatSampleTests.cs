using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.AI;
using Prem.Llm.AI;
using Prem.Llm.Tests.AI;

namespace Prem.Llm.Tests.Samples;

public class DocsChatSampleTests
{
    static string DocsChatDll => typeof(DocsChatSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "DocsChatDll").Value!;

    [Fact]
    public async Task Answers_from_the_document_that_matches_the_question()
    {
        string docs = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(docs, "lily.txt"), "Lily has a red ball. She plays with it in the park.");
        Directory.CreateDirectory(Path.Combine(docs, "pets"));
        File.WriteAllText(Path.Combine(docs, "pets", "tom.md"), "Tom has a big dog named Max. Max likes to run.");
        File.WriteAllText(Path.Combine(docs, "ignored.json"), "{}");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in new[] { DocsChatDll, "--model", ChatTestModels.Stories, "--docs", docs, "--max-new-tokens", "16" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync("What ball does Lily have?");
        await process.StandardInput.WriteLineAsync("Which dog runs?");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "DocsChat did not finish");
        Assert.True(process.ExitCode == 0, await stderr);
        string err = await stderr;
        Assert.Contains("docschat: 2 documents in", err);
        Assert.Contains("docschat: sources: lily.txt\n", err.ReplaceLineEndings("\n"));
        Assert.Contains($"docschat: sources: {Path.Combine("pets", "tom.md")}\n", err.ReplaceLineEndings("\n"));

        // The same answers through the library: the matching document in the system message, greedy, 16 tokens.
        using var client = new PremChatClient(ChatTestModels.Stories);
        async Task<string> Expected(string question, string name, string text) => (await client.GetResponseAsync(
            [new(ChatRole.System, DocumentContext.SystemMessage([(name, text)])), new(ChatRole.User, question)], new ChatOptions { MaxOutputTokens = 16 })).Text;
        string lily = await Expected("What ball does Lily have?", "lily.txt", "Lily has a red ball. She plays with it in the park.");
        string tom = await Expected("Which dog runs?", Path.Combine("pets", "tom.md"), "Tom has a big dog named Max. Max likes to run.");
        Assert.Equal($"{lily}\n{tom}\n", (await stdout).ReplaceLineEndings("\n"));
    }
}
