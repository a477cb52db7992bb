using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// Reads the fields of SFT and preference records: a line as a JSON object, and fields that hold either
/// a string or a message list. Message lists go through <see cref="JsonlRecords.ReadMessages"/>; its
/// errors are sorted into the missing-field and wrong-type skip reasons.
/// </summary>
internal static class ChatJson
{
    /// <summary>A field's value: a plain string or a list of messages (exactly one is set).</summary>
    public readonly record struct TextOrMessages(string? Text, List<ChatMessage>? Messages);

    /// <summary>Parses <paramref name="line"/>, which must be a JSON object.</summary>
    public static JsonDocument Parse(string line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new ChatRecordProblem(SkipReasons.BadJson, $"invalid JSON: {e.Message}", inner: e);
        }
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
        var kind = doc.RootElement.ValueKind;
        doc.Dispose();
        throw new ChatRecordProblem(SkipReasons.BadJson, $"expected a JSON object, found {kind}.");
    }

    /// <summary>Field <paramref name="name"/> as a string or message list; null when absent (or JSON null) and not required.</summary>
    public static TextOrMessages? Read(JsonElement record, string name, bool required, string file, long line)
    {
        if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw new ChatRecordProblem(SkipReasons.MissingField, "missing.", name) : null;
        if (value.ValueKind == JsonValueKind.String) return new TextOrMessages(value.GetString()!, null);
        if (value.ValueKind != JsonValueKind.Array)
            throw new ChatRecordProblem(SkipReasons.WrongType, $"expected a string or a message list, found {value.ValueKind}.", name);
        try
        {
            return new TextOrMessages(null, JsonlRecords.ReadMessages(value, file, line));
        }
        catch (TextDataException e)
        {
            // JsonlRecords reports an absent role/content as "missing." and everything else as a type error.
            string reason = e.Message.EndsWith("missing.", StringComparison.Ordinal) ? SkipReasons.MissingField : SkipReasons.WrongType;
            string field = e.Field is { } f && f.StartsWith("messages", StringComparison.Ordinal) ? name + f["messages".Length..] : name;
            throw new ChatRecordProblem(reason, e.Message[(e.Message.LastIndexOf(": ", StringComparison.Ordinal) + 2)..], field, e);
        }
    }

    /// <summary>The value as turns: a string becomes one message of <paramref name="roleForText"/>.</summary>
    public static List<ChatMessage> Turns(TextOrMessages value, string roleForText) =>
        value.Messages ?? [new ChatMessage(roleForText, value.Text!)];
}
