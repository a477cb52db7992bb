using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// Reads the common JSONL record shapes (<c>{"text"}</c>, <c>{"messages"}</c>) with errors that name the
/// file, line and field. Shared by the tokenize command and the data pipelines.
/// </summary>
internal static class JsonlRecords
{
    /// <summary>The string <c>text</c> field of a record.</summary>
    public static string ReadText(JsonElement record, string file, long line)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new TextDataException(file, $"expected a JSON object, found {record.ValueKind}.", line: line);
        if (!record.TryGetProperty("text", out var text)) throw new TextDataException(file, "missing: a record needs 'text' or 'messages'.", "text", line);
        return text.ValueKind == JsonValueKind.String ? text.GetString()! : throw new TextDataException(file, $"expected a string, found {text.ValueKind}.", "text", line);
    }

    /// <summary>A <c>messages</c> array of <c>{"role", "content"}</c> objects.</summary>
    public static List<ChatMessage> ReadMessages(JsonElement messages, string file, long line)
    {
        if (messages.ValueKind != JsonValueKind.Array) throw new TextDataException(file, $"expected an array, found {messages.ValueKind}.", "messages", line);
        var result = new List<ChatMessage>();
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            string field = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object) throw new TextDataException(file, $"expected an object, found {m.ValueKind}.", field, line);
            result.Add(new ChatMessage(String(m, "role", file, field, line), String(m, "content", file, field, line)));
        }
        return result;
    }

    /// <summary>An optional boolean field (false when absent or null).</summary>
    public static bool ReadOptionalBool(JsonElement record, string name, string file, long line)
    {
        if (!record.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return false;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new TextDataException(file, $"expected true or false, found {v.ValueKind}.", name, line),
        };
    }

    static string String(JsonElement obj, string name, string file, string parent, long line)
    {
        if (!obj.TryGetProperty(name, out var v)) throw new TextDataException(file, "missing.", $"{parent}.{name}", line);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new TextDataException(file, $"expected a string, found {v.ValueKind}.", $"{parent}.{name}", line);
    }
}
