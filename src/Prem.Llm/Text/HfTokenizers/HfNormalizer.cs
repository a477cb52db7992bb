using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Prem.Llm.Text;

/// <summary>
/// A <c>normalizer</c> of tokenizer.json: a function on the text of each segment between added tokens,
/// applied before pre-tokenization. The steps follow tokenizers' <c>normalizers/</c> module: Unicode forms
/// (NFC, NFD, NFKC, NFKD), Lowercase (full per-character mapping, no final-sigma rule), Strip (Unicode
/// whitespace), StripAccents (drops combining marks), Prepend (only to non-empty text), Replace (literal or
/// regex; the content is inserted literally) and Sequence.
/// </summary>
internal abstract class HfNormalizer
{
    /// <summary>The normalized text.</summary>
    public abstract string Normalize(string text);

    /// <summary>Reads a normalizer object; null for JSON null.</summary>
    public static HfNormalizer? Parse(JsonElement e, HfJsonReader json, string field)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        json.Object(e, field);
        string type = json.Type(e, field);
        switch (type)
        {
            case "Sequence":
                json.OnlyKnown(e, field, "type", "normalizers");
                var steps = new List<HfNormalizer>();
                int i = 0;
                foreach (var s in json.Array(json.Property(e, "normalizers", field), field + ".normalizers").EnumerateArray())
                {
                    var step = Parse(s, json, $"{field}.normalizers[{i++}]");
                    if (step is not null) steps.Add(step);
                }
                return new Sequence([.. steps]);
            case "NFC" or "NFD" or "NFKC" or "NFKD":
                json.OnlyKnown(e, field, "type");
                return new UnicodeForm(type switch
                {
                    "NFC" => NormalizationForm.FormC,
                    "NFD" => NormalizationForm.FormD,
                    "NFKC" => NormalizationForm.FormKC,
                    _ => NormalizationForm.FormKD,
                });
            case "Lowercase":
                json.OnlyKnown(e, field, "type");
                return new Lowercase();
            case "StripAccents":
                json.OnlyKnown(e, field, "type");
                return new StripAccents();
            case "Strip":
                json.OnlyKnown(e, field, "type", "strip_left", "strip_right");
                return new Strip(json.Bool(e, "strip_left", field, true), json.Bool(e, "strip_right", field, true));
            case "Prepend":
                json.OnlyKnown(e, field, "type", "prepend");
                return new Prepend(json.String(e, "prepend", field));
            case "Replace":
                json.OnlyKnown(e, field, "type", "pattern", "content");
                var (literal, regex) = ParsePattern(json.Property(e, "pattern", field), json, field + ".pattern");
                return new Replace(literal, regex, json.String(e, "content", field));
            default:
                throw json.Error(field + ".type", $"normalizer type '{type}' is not supported (supported: Sequence, NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Prepend, Replace).");
        }
    }

    /// <summary>Reads a tokenizers pattern: {"String": "…"} or {"Regex": "…"}.</summary>
    public static (string? Literal, Regex? Regex) ParsePattern(JsonElement e, HfJsonReader json, string field)
    {
        json.Object(e, field);
        json.OnlyKnown(e, field, "String", "Regex");
        if (json.OptionalString(e, "String", field) is { } s) return (s, null);
        if (json.OptionalString(e, "Regex", field) is { } r) return (null, HfRegex.Compile(r, json, field + ".Regex"));
        throw json.Error(field, "expected {\"String\": …} or {\"Regex\": …}.");
    }

    sealed class Sequence(HfNormalizer[] steps) : HfNormalizer
    {
        public override string Normalize(string text)
        {
            foreach (var s in steps) text = s.Normalize(text);
            return text;
        }
    }

    sealed class UnicodeForm(NormalizationForm form) : HfNormalizer
    {
        public override string Normalize(string text) => text.IsNormalized(form) ? text : text.Normalize(form);
    }

    sealed class Lowercase : HfNormalizer
    {
        public override string Normalize(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var rune in text.EnumerateRunes())
            {
                // .NET maps by the simple case mapping; Rust's char::to_lowercase uses the full one, which
                // differs only for U+0130 (İ → i + combining dot above).
                if (rune.Value == 0x130) sb.Append("i\u0307");
                else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            return sb.ToString();
        }
    }

    sealed class StripAccents : HfNormalizer
    {
        public override string Normalize(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var rune in text.EnumerateRunes())
            {
                var category = Rune.GetUnicodeCategory(rune);
                if (category is not (System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
                    or System.Globalization.UnicodeCategory.EnclosingMark)) sb.Append(rune.ToString());
            }
            return sb.ToString();
        }
    }

    sealed class Strip(bool left, bool right) : HfNormalizer
    {
        public override string Normalize(string text)
        {
            var span = text.AsSpan();
            if (left) span = span.TrimStart();
            if (right) span = span.TrimEnd();
            return span.Length == text.Length ? text : span.ToString();
        }
    }

    sealed class Prepend(string prefix) : HfNormalizer
    {
        public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
    }

    sealed class Replace(string? literal, Regex? regex, string content) : HfNormalizer
    {
        public override string Normalize(string text)
        {
            if (regex is not null) return regex.Replace(text, _ => content);
            return literal!.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal);
        }
    }
}
