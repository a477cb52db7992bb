using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

/// <summary>The golden conversation of Data/tokenizers/chat/example.json (rendered by Jinja2 as HF does).</summary>
public static class ChatExample
{
    static readonly Lazy<JsonDocument> _doc = new(() => JsonDocument.Parse(File.ReadAllText(TextTestData.File("chat", "example.json"))));

    /// <summary>The seven messages.</summary>
    public static List<ChatMessage> Messages =>
        _doc.Value.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();

    /// <summary>The rendered text for a key such as "full_train_bos=&lt;s&gt;".</summary>
    public static string Render(string key) => _doc.Value.RootElement.GetProperty("renders").GetProperty(key).GetString()!;

    /// <summary>Real SentencePiece + HF legacy splitting ids for the "&lt;s&gt;" renders (tools/chat_legacy_ids.js).</summary>
    public static int[] PremLegacyIds(string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TextTestData.File("chat", "prem_legacy_ids.json")));
        return doc.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }
}
