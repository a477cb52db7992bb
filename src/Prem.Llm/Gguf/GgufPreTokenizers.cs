using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prem.Llm.Gguf;

/// <summary>
/// The byte-level BPE pre-tokenizers llama.cpp implements, by the <c>tokenizer.ggml.pre</c> name its
/// converter writes (<c>get_vocab_base_pre</c>) and the <c>tokenizer.json</c> pre-tokenizer (and normalizer)
/// that produces the same words. llama.cpp's converter recognises a pre-tokenizer by hashing the ids of a
/// probe text; here the <c>pre_tokenizer</c> JSON itself is compared, which needs no probe and names
/// exactly what does not match. The same table rebuilds a tokenizer.json on import.
/// </summary>
internal static class GgufPreTokenizers
{
    /// <summary>Llama-3's split pattern (also Llama-3.1/3.2/3.3).</summary>
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2's split pattern (also Qwen2.5 and Qwen3): Llama-3's with single digits.</summary>
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    static readonly string[] _deepSeekV3Patterns =
    [
        @"\p{N}{1,3}",
        "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
        "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
    ];

    /// <summary>A known pre-tokenizer: Isolated regex splits, then ByteLevel (with GPT-2's regex when <c>ByteLevelRegex</c>).</summary>
    internal sealed record Entry(string Name, string[] Splits, bool ByteLevelRegex, string? Normalizer);

    /// <summary>The table, in the order names are tried.</summary>
    public static IReadOnlyList<Entry> Known { get; } =
    [
        new("llama-bpe", [Llama3Pattern], false, null),
        new("qwen2", [Qwen2Pattern], false, "NFC"),
        new("deepseek-v3", _deepSeekV3Patterns, false, null),
        new("gpt-2", [], true, null),
    ];

    /// <summary>
    /// The <c>tokenizer.ggml.pre</c> name for a tokenizer.json's <paramref name="preTokenizer"/> and
    /// <paramref name="normalizer"/> (either may be undefined), or throws naming what llama.cpp cannot represent.
    /// </summary>
    public static string NameOf(JsonElement preTokenizer, JsonElement normalizer, string source)
    {
        string? norm = NormalizerKind(normalizer);
        var steps = Steps(preTokenizer);
        foreach (var e in Known)
        {
            if (e.Normalizer != norm && !(e.Normalizer == "NFC" && norm is null)) continue;
            var expected = e.Splits.Select(p => "Split:" + p).Append(e.ByteLevelRegex ? "ByteLevel:regex" : "ByteLevel").ToList();
            if (steps is not null && steps.SequenceEqual(expected)) return e.Name;
        }
        string shown = preTokenizer.ValueKind == JsonValueKind.Undefined ? "none" : Shorten(preTokenizer.GetRawText());
        throw new GgufFormatException(source, "pre_tokenizer",
            $"llama.cpp has no pre-tokenizer for this tokenizer.json (pre_tokenizer {shown}, normalizer {norm ?? "none"}); "
            + $"the known ones are {string.Join(", ", Known.Select(k => k.Name))}.");
    }

    /// <summary>The tokenizer.json <c>pre_tokenizer</c> and <c>normalizer</c> (null for none) of a known <paramref name="name"/>.</summary>
    public static (JsonNode PreTokenizer, JsonNode? Normalizer) Build(string name, string source)
    {
        var e = Known.FirstOrDefault(k => k.Name == name)
            ?? throw new GgufFormatException(source, "tokenizer.ggml.pre", $"pre-tokenizer '{GgufFormatException.Shorten(name)}' cannot be rebuilt here (known: {string.Join(", ", Known.Select(k => k.Name))}).");
        var steps = new JsonArray();
        foreach (string p in e.Splits)
            steps.Add(new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = p }, ["behavior"] = "Isolated", ["invert"] = false });
        steps.Add(new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = e.ByteLevelRegex });
        var pre = new JsonObject { ["type"] = "Sequence", ["pretokenizers"] = steps };
        return (pre, e.Normalizer is null ? null : new JsonObject { ["type"] = e.Normalizer });
    }

    // "Split:<regex>" per Isolated, non-inverted regex split, "ByteLevel[:regex]" for a ByteLevel step without a prefix space; null otherwise.
    static List<string>? Steps(JsonElement pre)
    {
        if (pre.ValueKind != JsonValueKind.Object || !pre.TryGetProperty("type", out var type)) return null;
        var result = new List<string>();
        switch (type.GetString())
        {
            case "Sequence":
                if (!pre.TryGetProperty("pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array) return null;
                foreach (var s in list.EnumerateArray())
                {
                    var sub = Steps(s);
                    if (sub is null) return null;
                    result.AddRange(sub);
                }
                return result;
            case "Split":
                if (!pre.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object
                    || !pattern.TryGetProperty("Regex", out var regex) || regex.ValueKind != JsonValueKind.String) return null;
                if (!pre.TryGetProperty("behavior", out var b) || b.GetString() != "Isolated") return null;
                if (pre.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True) return null;
                return ["Split:" + regex.GetString()];
            case "ByteLevel":
                bool prefix = !pre.TryGetProperty("add_prefix_space", out var ap) || ap.ValueKind == JsonValueKind.True;
                bool useRegex = !pre.TryGetProperty("use_regex", out var ur) || ur.ValueKind == JsonValueKind.True;
                return prefix ? null : [useRegex ? "ByteLevel:regex" : "ByteLevel"];
            default:
                return null;
        }
    }

    // null (none, or an empty Sequence), "NFC", or "other".
    static string? NormalizerKind(JsonElement n)
    {
        if (n.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        if (n.ValueKind != JsonValueKind.Object || !n.TryGetProperty("type", out var t)) return "other";
        return t.GetString() switch
        {
            "NFC" => "NFC",
            "Sequence" when n.TryGetProperty("normalizers", out var l) && l.ValueKind == JsonValueKind.Array && l.GetArrayLength() == 0 => null,
            _ => "other: " + Shorten(n.GetRawText()),
        };
    }

    static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
