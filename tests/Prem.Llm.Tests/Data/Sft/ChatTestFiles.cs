using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Data.Sft;

/// <summary>Writes JSONL fixtures for the SFT and preference tests.</summary>
public static class ChatTestFiles
{
    /// <summary>Writes <paramref name="lines"/> to <paramref name="name"/> in <paramref name="folder"/> and returns the path.</summary>
    public static string Write(TempFolder folder, string name, params string[] lines)
    {
        string path = folder.Sub(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A JSONL line {"messages": [...]} from (role, content) pairs.</summary>
    public static string Messages(params (string Role, string Content)[] messages) =>
        JsonSerializer.Serialize(new { messages = messages.Select(m => new { role = m.Role, content = m.Content }) });

    /// <summary>The tokenizer's id of a control token.</summary>
    public static int Id(string token) => Prem.Llm.Tests.Text.TextTestData.PremChat.TokenToId(token)!.Value;

    /// <summary>The Prem-1B-chat fixture tokenizer.</summary>
    public static ITextTokenizer Tokenizer => Prem.Llm.Tests.Text.TextTestData.PremChat;
}
