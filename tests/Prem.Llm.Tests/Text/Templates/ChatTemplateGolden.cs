using System.Text.Json;

namespace Prem.Llm.Tests.Text.Templates;

/// <summary>
/// The 72 rows of Data/hf/golden/chat_templates.jsonl (rendered by Python jinja2 3.1.6 configured as
/// transformers does; see Data/hf/README.md) and the templates of Data/hf/tokenizers/&lt;name&gt;.
/// </summary>
internal static class ChatTemplateGolden
{
    /// <summary>strftime_now's pinned date in the golden renders.</summary>
    public static readonly DateTime PinnedNow = new(2026, 1, 15, 9, 30, 0);

    public sealed record Row(string Template, string Id, JsonElement Messages, bool AddGenerationPrompt, JsonElement Extra, string? Text, string? Error, int[]? Ids);

    static readonly Lazy<List<Row>> _rows = new(() =>
    {
        var rows = new List<Row>();
        foreach (string line in File.ReadLines(TestData.Path("hf", "golden", "chat_templates.jsonl")))
        {
            if (line.Length == 0) continue;
            var e = JsonDocument.Parse(line).RootElement;
            rows.Add(new Row(
                e.GetProperty("template").GetString()!, e.GetProperty("id").GetString()!, e.GetProperty("messages").Clone(),
                e.GetProperty("add_generation_prompt").GetBoolean(), e.GetProperty("extra").Clone(),
                e.TryGetProperty("text", out var t) ? t.GetString() : null, e.TryGetProperty("error", out var err) ? err.GetString() : null,
                e.TryGetProperty("ids", out var ids) ? [.. ids.EnumerateArray().Select(x => x.GetInt32())] : null));
        }
        return rows;
    });

    public static IReadOnlyList<Row> Rows => _rows.Value;

    public static string Folder(string template) => TestData.Path("hf", "tokenizers", template);

    public static TheoryData<int> RowIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Rows.Count; i++) data.Add(i);
        return data;
    }

    /// <summary>The variables transformers passes: messages, add_generation_prompt, tools, documents, the special tokens, the extra kwargs.</summary>
    public static Dictionary<string, object?> Variables(Row row)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(row.Template), "tokenizer_config.json")));
        var vars = new Dictionary<string, object?>
        {
            ["messages"] = row.Messages,
            ["add_generation_prompt"] = row.AddGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
        };
        foreach (string name in new[] { "bos_token", "eos_token", "unk_token", "pad_token" })
        {
            if (!config.RootElement.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { vars[name] = null; continue; }
            vars[name] = v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetProperty("content").GetString();
        }
        foreach (var p in row.Extra.EnumerateObject()) vars[p.Name] = p.Value.Clone();
        return vars;
    }

    public static string TemplateSource(string template)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(template), "tokenizer_config.json")));
        return config.RootElement.GetProperty("chat_template").GetString()!;
    }
}
