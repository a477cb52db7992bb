using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Prem.Llm.Tests.Checkpoints;

/// <summary>
/// Turns a valid safetensors file (or index JSON) into a plausible-but-broken one. Mutations aim at
/// the header, where the parsing happens: bit flips, splices, header-length edits, JSON token edits
/// (huge, negative, fractional numbers; wrong types; other dtypes; duplicated or overlapping entries),
/// truncation and extension. Deterministic for a given <see cref="Random"/>.
/// </summary>
public static partial class SafeTensorsMutator
{
    private static readonly string[] _numberReplacements =
    [
        "-1", "0", "1", "-0", "1.5", "1e3", "1E+400", "99999999999999999999999", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "4611686018427387904", "2147483648", "18446744073709551615",
        "\"7\"", "null", "true", "[]", "{}", "[0,0]", "[-1]", "[4,4]",
    ];

    private static readonly string[] _hostileShapes =
    [
        "[]", "[0]", "[0,4611686018427387904,4]", "[0,9223372036854775807,9223372036854775807]", "[4294967296,0]",
        "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[3037000500,3037000500]",
        "[2305843009213693952]", "[0,0,0]", "[-0]", "[1e2]",
    ];

    private static readonly string[] _stringReplacements =
    [
        "F32", "BF16", "F16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "U16", "f32", "",
        "__metadata__", "dtype", "shape", "data_offsets", "format", "\\u0046\\u0033\\u0032", "\\x", "\\ud800",
        "a.safetensors", "../a.safetensors", "model-00001-of-00002.safetensors",
    ];

    /// <summary>Applies one to three random mutations; <paramref name="description"/> says which, for reproduction.</summary>
    public static byte[] Mutate(byte[] seed, Random random, bool isSafetensors, out string description)
    {
        var data = seed;
        var parts = new List<string>();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            var kind = random.Next(isSafetensors ? 8 : 6);
            parts.Add(kind switch { 0 => "flip", 1 => "splice", 2 => "number", 3 => "string", 4 => "structure", 5 => "truncate", 6 => "extend", _ => "length" });
            data = kind switch
            {
                0 => FlipBits(data, random, isSafetensors),
                1 => Splice(data, random),
                2 or 3 or 4 => isSafetensors ? EditHeader(data, random, kind) : EditJson(data, random, kind),
                5 => data[..random.Next(data.Length + 1)],
                6 => Extend(data, random),
                _ => EditLength(data, random),
            };
        }
        description = string.Join("+", parts);
        return data;
    }

    private static byte[] FlipBits(byte[] data, Random random, bool headerBiased)
    {
        if (data.Length == 0)
        {
            return data;
        }
        var copy = (byte[])data.Clone();
        var headerEnd = data.Length;
        if (headerBiased && data.Length >= 8)
        {
            headerEnd = (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(data), (ulong)(data.Length - 8)) + 8;
        }
        for (var n = 1 + random.Next(8); n > 0; n--)
        {
            var at = random.Next(4) != 0 ? random.Next(headerEnd) : random.Next(data.Length);
            copy[at] ^= (byte)(1 << random.Next(8));
        }
        return copy;
    }

    private static byte[] Splice(byte[] data, Random random)
    {
        if (data.Length < 2)
        {
            return data;
        }
        var from = random.Next(data.Length);
        var length = random.Next(1, Math.Min(64, data.Length - from) + 1);
        var chunk = data.AsSpan(from, length).ToArray();
        var at = random.Next(data.Length);
        return random.Next(3) switch
        {
            0 => [.. data[..at], .. chunk, .. data[at..]], // insert
            1 => [.. data[..at], .. data[Math.Min(data.Length, at + length)..]], // delete
            _ => Overwrite(data, at, chunk),
        };
    }

    private static byte[] Overwrite(byte[] data, int at, byte[] chunk)
    {
        var copy = (byte[])data.Clone();
        chunk.AsSpan(0, Math.Min(chunk.Length, copy.Length - at)).CopyTo(copy.AsSpan(at));
        return copy;
    }

    private static byte[] Extend(byte[] data, Random random)
    {
        var extra = new byte[random.Next(1, 65)];
        if (random.Next(2) == 0)
        {
            random.NextBytes(extra);
        }
        return [.. data, .. extra];
    }

    private static byte[] EditLength(byte[] data, Random random)
    {
        if (data.Length < 8)
        {
            return data;
        }
        var copy = (byte[])data.Clone();
        var current = BinaryPrimitives.ReadUInt64LittleEndian(copy);
        ulong value = random.Next(8) switch
        {
            0 => 0,
            1 => (ulong)random.NextInt64(),
            2 => 1UL << 63,
            3 => ulong.MaxValue,
            4 => 100_000_001,
            5 => (ulong)(data.Length - 8 + random.Next(-4, 5)),
            _ => current + (ulong)random.Next(-16, 17),
        };
        BinaryPrimitives.WriteUInt64LittleEndian(copy, value);
        return copy;
    }

    private static byte[] EditHeader(byte[] data, Random random, int kind)
    {
        if (data.Length < 8)
        {
            return data;
        }
        var n = (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(data), (ulong)(data.Length - 8));
        var header = EditJson(data[8..(8 + n)], random, kind);
        var result = new byte[8 + header.Length + data.Length - 8 - n];
        // Usually keep the length prefix honest so the JSON-level checks are what gets exercised.
        BinaryPrimitives.WriteUInt64LittleEndian(result, random.Next(5) != 0 ? (ulong)header.Length : (ulong)n);
        header.CopyTo(result, 8);
        data.AsSpan(8 + n).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    private static byte[] EditJson(byte[] json, Random random, int kind)
    {
        // Latin-1 maps bytes 1:1 to chars, so edits keep every other byte as it was (invalid UTF-8 included).
        var text = Encoding.Latin1.GetString(json);
        text = kind switch
        {
            2 => ReplaceMatch(text, NumberToken(), random, m => Pick(random, _numberReplacements, m)),
            3 => ReplaceMatch(text, StringToken(), random, m => "\"" + Pick(random, _stringReplacements, m) + "\""),
            _ => EditStructure(text, random),
        };
        return Encoding.Latin1.GetBytes(text);
    }

    private static string Pick(Random random, string[] options, Match m) => random.Next(6) switch
    {
        0 when long.TryParse(m.Value, out var v) => (v + random.Next(-3, 4)).ToString(),
        1 when long.TryParse(m.Value, out var v) => (v * 2).ToString(),
        2 => new string('9', random.Next(1, 40)),
        _ => options[random.Next(options.Length)],
    };

    private static string ReplaceMatch(string text, Regex regex, Random random, Func<Match, string> replacement)
    {
        var matches = regex.Matches(text);
        if (matches.Count == 0)
        {
            return text;
        }
        var m = matches[random.Next(matches.Count)];
        return string.Concat(text.AsSpan(0, m.Index), replacement(m), text.AsSpan(m.Index + m.Length));
    }

    private static string EditStructure(string text, Random random)
    {
        var entries = EntryToken().Matches(text);
        switch (random.Next(7))
        {
            case 6: // replace a shape with a hostile one, keeping its data_offsets
                return ReplaceMatch(text, ShapeToken(), random, _ => "\"shape\":" + _hostileShapes[random.Next(_hostileShapes.Length)]);
            case 0 when entries.Count > 0: // duplicate an entry (same name twice)
                var e = entries[random.Next(entries.Count)];
                return text.Insert(e.Index, e.Value + ",");
            case 1: // copy one tensor's data_offsets onto another: overlap or alias
                var offsets = OffsetsToken().Matches(text);
                if (offsets.Count < 2)
                {
                    return text;
                }
                var source = offsets[random.Next(offsets.Count)];
                var target = offsets[random.Next(offsets.Count)];
                return string.Concat(text.AsSpan(0, target.Index), source.Value, text.AsSpan(target.Index + target.Length));
            case 2: // delete a structural character
                var structural = StructuralToken().Matches(text);
                if (structural.Count == 0)
                {
                    return text;
                }
                var s = structural[random.Next(structural.Count)];
                return text.Remove(s.Index, 1);
            case 3: // deep nesting inside a value
                var depth = random.Next(1, 2000);
                var at = text.IndexOf(':');
                return at < 0 ? text : text.Insert(at + 1, new string('[', depth) + new string(']', depth) + ",");
            case 4: // remove an entry
                if (entries.Count == 0)
                {
                    return text;
                }
                var r = entries[random.Next(entries.Count)];
                return text.Remove(r.Index, r.Length);
            default: // swap two number tokens
                var numbers = NumberToken().Matches(text);
                if (numbers.Count < 2)
                {
                    return text;
                }
                var a = numbers[random.Next(numbers.Count)];
                var b = numbers[random.Next(numbers.Count)];
                if (a.Index == b.Index)
                {
                    return text;
                }
                var (first, second) = a.Index < b.Index ? (a, b) : (b, a);
                return text[..first.Index] + second.Value + text[(first.Index + first.Length)..second.Index]
                    + first.Value + text[(second.Index + second.Length)..];
        }
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberToken();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringToken();

    [GeneratedRegex("\"[^\"]*\":\\{[^{}]*\\}")]
    private static partial Regex EntryToken();

    [GeneratedRegex(@"""shape"":\[[^\]]*\]")]
    private static partial Regex ShapeToken();

    [GeneratedRegex(@"\[\d+,\d+\]")]
    private static partial Regex OffsetsToken();

    [GeneratedRegex(@"[{}\[\],:]")]
    private static partial Regex StructuralToken();
}
