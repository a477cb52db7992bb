using System.Text.Json;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// Typed field access on one data-file row. Errors are <see cref="FormatException"/>s naming the
/// field; <see cref="TaskDataLoader"/> turns them into <see cref="EvaluationException"/>s with file and line.
/// </summary>
internal static class JsonRow
{
    /// <summary>A required string field.</summary>
    public static string GetString(JsonElement row, string field)
    {
        var value = Get(row, field);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"field '{field}' must be a string, found {value.ValueKind}");
    }

    /// <summary>A required integer field; a string holding an integer (HellaSwag's <c>label</c>) is accepted.</summary>
    public static int GetInt(JsonElement row, string field)
    {
        var value = Get(row, field);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n)) return n;
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out n)) return n;
        throw new FormatException($"field '{field}' must be an integer, found {value}");
    }

    /// <summary>A required non-empty array of strings.</summary>
    public static IReadOnlyList<string> GetStrings(JsonElement row, string field)
    {
        var value = Get(row, field);
        if (value.ValueKind != JsonValueKind.Array)
            throw new FormatException($"field '{field}' must be an array of strings, found {value.ValueKind}");
        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw new FormatException($"field '{field}' must contain only strings, found {item.ValueKind}");
            list.Add(item.GetString()!);
        }
        if (list.Count == 0) throw new FormatException($"field '{field}' is empty");
        return list;
    }

    private static JsonElement Get(JsonElement row, string field)
    {
        if (row.ValueKind != JsonValueKind.Object) throw new FormatException($"row must be a JSON object, found {row.ValueKind}");
        return row.TryGetProperty(field, out var value) ? value : throw new FormatException($"missing field '{field}'");
    }
}
