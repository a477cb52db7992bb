using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Prem.Llm.Text;

/// <summary>
/// The <c>decoder</c> of tokenizer.json, compiled to what <see cref="TokenByteTable"/> needs: the bytes of
/// each token and whether one leading space of the text is dropped. tokenizers' decoders work on the
/// list of token strings; the ones real files use are per-token maps followed by a join, so they
/// compile: Replace, Metaspace (replacement → space; in the first token dropped, unless <c>prepend_scheme</c>
/// is never), Strip before a Fuse, then one of ByteLevel
/// (alphabet → bytes; a token with foreign characters keeps its UTF-8), ByteFallback (<c>&lt;0xXX&gt;</c> →
/// that byte) or plain UTF-8; Fuse (joining is what the table does anyway); Strip(" ", 1, 0) after a
/// Fuse becomes the leading-space drop. No decoder at all joins
/// tokens with spaces, as tokenizers does. Other chains are refused by name.
/// </summary>
/// <remarks>
/// Not exact in one corner, outside what decoding well-formed ids produces: tokenizers turns each byte
/// of an invalid run of <c>&lt;0xXX&gt;</c> tokens into its own U+FFFD where one UTF-8 decode of all bytes
/// gives one U+FFFD per maximal invalid subsequence. Strip without Fuse after ByteFallback (it would
/// strip inside byte groups) is refused.
/// </remarks>
internal sealed class HfDecoder
{
    enum BytesMode { Utf8, ByteLevel, ByteFallback }

    readonly List<Func<string, bool, string>> _stringSteps = [];
    BytesMode _bytes = BytesMode.Utf8;
    bool _fused;
    bool _joinWithSpaces;

    /// <summary>Whether decoding drops one leading space of the text.</summary>
    public bool StripLeadingSpace { get; private set; }

    /// <summary>Whether the first token decodes differently from the others (Metaspace).</summary>
    public bool HasFirstTokenRule { get; private set; }

    /// <summary>The bytes one token decodes to; <paramref name="first"/> when it is the first token decoded.</summary>
    public byte[] TokenBytes(string token, bool first = false)
    {
        foreach (var step in _stringSteps) token = step(token, first);
        byte[] bytes = _bytes switch
        {
            BytesMode.ByteLevel => ByteLevelAlphabet.Decode(token),
            BytesMode.ByteFallback when IsByteToken(token, out byte b) => [b],
            _ => Encoding.UTF8.GetBytes(token),
        };
        return _joinWithSpaces ? [(byte)' ', .. bytes] : bytes;
    }

    static bool IsByteToken(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }

    /// <summary>Reads the decoder (JSON null: tokens joined with spaces).</summary>
    public static HfDecoder Parse(JsonElement e, HfJsonReader json, string field)
    {
        var decoder = new HfDecoder();
        if (e.ValueKind == JsonValueKind.Null)
        {
            decoder._joinWithSpaces = true;
            decoder.StripLeadingSpace = true;
            return decoder;
        }
        decoder.Add(e, json, field);
        return decoder;
    }

    void Add(JsonElement e, HfJsonReader json, string field)
    {
        json.Object(e, field);
        string type = json.Type(e, field);
        switch (type)
        {
            case "Sequence":
                json.OnlyKnown(e, field, "type", "decoders");
                int i = 0;
                foreach (var d in json.Array(json.Property(e, "decoders", field), field + ".decoders").EnumerateArray()) Add(d, json, $"{field}.decoders[{i++}]");
                break;
            case "Replace":
            {
                json.OnlyKnown(e, field, "type", "pattern", "content");
                var (literal, regex) = HfNormalizer.ParsePattern(json.Property(e, "pattern", field), json, field + ".pattern");
                string content = json.String(e, "content", field);
                AddStringStep(json, field, regex is not null ? (t, _) => regex.Replace(t, _ => content)
                    : literal!.Length == 0 ? (t, _) => t : (t, _) => t.Replace(literal, content, StringComparison.Ordinal));
                break;
            }
            case "Metaspace":
            {
                json.OnlyKnown(e, field, "type", "replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep");
                char replacement = json.Char(e, "replacement", field, '\u2581');
                string? scheme = json.OptionalString(e, "prepend_scheme", field);
                bool prepends = scheme switch
                {
                    null => json.Bool(e, "add_prefix_space", field, true),
                    "always" or "first" => true,
                    "never" => false,
                    _ => throw json.Error(field + ".prepend_scheme", $"unknown prepend_scheme '{scheme}'."),
                };
                // tokenizers' Metaspace::decode_chain: in token 0 every replacement character is dropped.
                AddStringStep(json, field, (t, first) => first && prepends ? t.Replace(replacement.ToString(), "", StringComparison.Ordinal) : t.Replace(replacement, ' '));
                HasFirstTokenRule |= prepends;
                break;
            }
            case "ByteLevel":
                json.OnlyKnown(e, field, "type", "add_prefix_space", "trim_offsets", "use_regex");
                SetBytes(BytesMode.ByteLevel, json, field);
                break;
            case "ByteFallback":
                json.OnlyKnown(e, field, "type");
                SetBytes(BytesMode.ByteFallback, json, field);
                break;
            case "Fuse":
                json.OnlyKnown(e, field, "type");
                _fused = true;
                break;
            case "Strip":
            {
                json.OnlyKnown(e, field, "type", "content", "start", "stop");
                char content = json.Char(e, "content", field, ' ');
                int start = json.Int(e, "start", field, 0), stop = json.Int(e, "stop", field, 0);
                if (_fused)
                {
                    if (content != ' ' || start > 1 || stop != 0)
                        throw json.Error(field, "after Fuse only Strip(\" \", start ≤ 1, stop 0) is supported.");
                    if (start == 1) SetLeadingStrip(json, field);
                }
                else AddStringStep(json, field, (t, _) => StripToken(t, content, start, stop));
                break;
            }
            default:
                throw json.Error(field + ".type", $"decoder type '{type}' is not supported (supported: Sequence, ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip).");
        }
    }

    void AddStringStep(HfJsonReader json, string field, Func<string, bool, string> step)
    {
        if (_bytes != BytesMode.Utf8 || _fused)
            throw json.Error(field, "a text step after ByteLevel, ByteFallback or Fuse is not supported.");
        _stringSteps.Add(step);
    }

    void SetBytes(BytesMode mode, HfJsonReader json, string field)
    {
        if (_bytes != BytesMode.Utf8) throw json.Error(field, "a second byte decoder is not supported.");
        _bytes = mode;
    }

    void SetLeadingStrip(HfJsonReader json, string field)
    {
        if (StripLeadingSpace) throw json.Error(field, "a second leading-space strip is not supported.");
        StripLeadingSpace = true;
    }

    // tokenizers' Strip decoder on one token: up to `start` leading and `stop` trailing `content` characters.
    static string StripToken(string token, char content, int start, int stop)
    {
        int from = 0;
        while (from < Math.Min(start, token.Length) && token[from] == content) from++;
        int to = token.Length;
        for (int k = 0; k < stop && to > from && token[to - 1] == content; k++) to--;
        return token[from..to];
    }
}
