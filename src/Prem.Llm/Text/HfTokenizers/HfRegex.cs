using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Prem.Llm.Text;

/// <summary>
/// Turns an HF tokenizer regex (Oniguruma syntax, as the Rust tokenizers run it) into a .NET
/// <see cref="Regex"/> with a match timeout. What real files use translates: <c>\p{L}</c>-style
/// categories, lookahead, <c>(?i:…)</c>, possessive quantifiers (<c>a++</c> → <c>(?&gt;a+)</c>),
/// <c>\x{HHHH}</c>, and <c>\w</c> (Oniguruma's Unicode word class: letters, marks, decimal digits,
/// connector punctuation). Anything .NET cannot parse is refused with the file and field.
/// </summary>
internal static class HfRegex
{
    /// <summary>How long one match may run before the input is refused (a catastrophic pattern fails cleanly).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    const string WordClass = @"\p{L}\p{M}\p{Nd}\p{Pc}";
    static readonly ConcurrentDictionary<string, Regex> _cache = new(StringComparer.Ordinal);

    /// <summary>Translates and compiles <paramref name="pattern"/>, or throws naming <paramref name="field"/>.</summary>
    public static Regex Compile(string pattern, HfJsonReader json, string field)
    {
        if (_cache.TryGetValue(pattern, out var cached)) return cached;
        string translated;
        try
        {
            translated = Translate(pattern);
            // Ruby syntax (Oniguruma's default, used by tokenizers) makes ^ and $ line anchors.
            var regex = new Regex(translated, RegexOptions.Multiline | RegexOptions.CultureInvariant | RegexOptions.Compiled, DefaultTimeout);
            if (_cache.Count < 256) _cache.TryAdd(pattern, regex);
            return regex;
        }
        catch (ArgumentException e)
        {
            throw json.Error(field, $"regex \"{pattern}\" cannot be run here: {e.Message}");
        }
    }

    /// <summary>
    /// Appends the (index, length) of each match of <paramref name="regex"/> in <paramref name="text"/>. Oniguruma
    /// matches code points, .NET matches UTF-16 units, so a character outside the BMP (an emoji, a math letter)
    /// would be two surrogates of category Cs and miss <c>\p{S}</c> or <c>\p{L}</c>. Such text is matched with
    /// each astral character replaced by one BMP stand-in of the same Unicode category, and the matches mapped back.
    /// </summary>
    public static void Matches(Regex regex, ReadOnlySpan<char> text, List<(int Index, int Length)> matches)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var m in regex.EnumerateMatches(text)) matches.Add((m.Index, m.Length));
            return;
        }
        var substituted = new char[text.Length];
        var original = new int[text.Length + 1];
        int n = 0;
        for (int i = 0; i < text.Length; n++)
        {
            original[n] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                substituted[n] = _standIns.Value[(int)System.Globalization.CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))];
                i += 2;
            }
            else substituted[n] = text[i++];
        }
        original[n] = text.Length;
        foreach (var m in regex.EnumerateMatches(substituted.AsSpan(0, n)))
            matches.Add((original[m.Index], original[m.Index + m.Length] - original[m.Index]));
    }

    // One BMP character per Unicode category, away from the ranges patterns name (ASCII, kana, CJK) and
    // without an ASCII case partner, so that (?i:'s) cannot match it.
    static readonly Lazy<char[]> _standIns = new(() =>
    {
        var standIns = new char[32];
        Array.Fill(standIns, '\uFFFD');
        var found = new bool[32];
        foreach (int start in new[] { 0xA000, 0x0100 })
        {
            for (int c = start; c <= 0xFFFF; c++)
            {
                if (c is >= 0xD800 and <= 0xDFFF or >= 0x3040 and <= 0x30FF or >= 0x4E00 and <= 0x9FFF) continue;
                char ch = (char)c;
                if (char.ToUpperInvariant(ch) < 0x80 || char.ToLowerInvariant(ch) < 0x80) continue;
                int category = (int)char.GetUnicodeCategory(ch);
                if (!found[category]) { found[category] = true; standIns[category] = ch; }
            }
        }
        return standIns;
    });

    /// <summary>The .NET form of an Oniguruma pattern; throws <see cref="ArgumentException"/> for what it cannot translate.</summary>
    public static string Translate(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 16);
        var groupStarts = new Stack<int>();
        int atomStart = -1;   // where the last complete atom begins in sb, for possessive quantifiers
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                atomStart = sb.Length;
                i = TranslateEscape(pattern, i, sb, inClass: false);
            }
            else if (c == '[')
            {
                atomStart = sb.Length;
                i = TranslateClass(pattern, i, sb);
            }
            else if (c == '(')
            {
                groupStarts.Push(sb.Length);
                sb.Append(c);
                i++;
                atomStart = -1;
            }
            else if (c == ')')
            {
                if (groupStarts.Count == 0) throw new ArgumentException("unbalanced ')'.");
                sb.Append(c);
                atomStart = groupStarts.Pop();
                i++;
            }
            else if (c is '*' or '+' or '?' or '{')
            {
                int end = QuantifierEnd(pattern, i);
                if (end < 0) { sb.Append(c); i++; atomStart = sb.Length - 1; continue; }   // a literal '{'
                string quantifier = pattern[i..end];
                if (end < pattern.Length && pattern[end] == '+')
                {
                    if (atomStart < 0) throw new ArgumentException($"possessive quantifier at {i} follows no atom.");
                    sb.Insert(atomStart, "(?>").Append(quantifier).Append(')');
                    end++;
                }
                else
                {
                    sb.Append(quantifier);
                    if (end < pattern.Length && pattern[end] == '?') { sb.Append('?'); end++; }
                }
                atomStart = -1;
                i = end;
            }
            else
            {
                atomStart = c is '|' or '^' or '$' ? -1 : sb.Length;
                sb.Append(c);
                i++;
            }
        }
        return sb.ToString();
    }

    // End (exclusive) of the quantifier at i, or -1 when '{' is not a quantifier.
    static int QuantifierEnd(string p, int i)
    {
        if (p[i] != '{') return i + 1;
        int j = i + 1;
        while (j < p.Length && (char.IsAsciiDigit(p[j]) || p[j] == ',')) j++;
        return j < p.Length && p[j] == '}' && j > i + 1 ? j + 1 : -1;
    }

    static int TranslateEscape(string p, int i, StringBuilder sb, bool inClass)
    {
        if (i + 1 >= p.Length) throw new ArgumentException("pattern ends with '\\'.");
        char e = p[i + 1];
        switch (e)
        {
            case 'w':
                sb.Append(inClass ? WordClass : "[" + WordClass + "]");
                return i + 2;
            case 'W':
                if (inClass) throw new ArgumentException("\\W inside a character class is not supported.");
                sb.Append("[^" + WordClass + "]");
                return i + 2;
            case 'h' or 'H' or 'R' or 'X' or 'K' or 'g' or 'O' or 'y' or 'Y':
                throw new ArgumentException($"Oniguruma escape \\{e} is not supported.");
            case 'x' when i + 2 < p.Length && p[i + 2] == '{':
                int close = p.IndexOf('}', i + 3);
                if (close < 0) throw new ArgumentException("unterminated \\x{…}.");
                int code = Convert.ToInt32(p[(i + 3)..close], 16);
                if (code > 0xFFFF) throw new ArgumentException($"\\x{{{code:X}}} is outside the BMP.");
                sb.Append(@"\u").Append(code.ToString("X4"));
                return close + 1;
            case 'p' or 'P':
                int end = p.IndexOf('}', i + 2);
                if (i + 2 >= p.Length || p[i + 2] != '{' || end < 0) throw new ArgumentException("malformed \\p{…}.");
                string name = p[(i + 3)..end];
                if (name.StartsWith('^')) { e = e == 'p' ? 'P' : 'p'; name = name[1..]; }
                sb.Append('\\').Append(e).Append('{').Append(name).Append('}');
                return end + 1;
            default:
                sb.Append('\\').Append(e);
                return i + 2;
        }
    }

    static int TranslateClass(string p, int i, StringBuilder sb)
    {
        sb.Append('[');
        int j = i + 1;
        if (j < p.Length && p[j] == '^') { sb.Append('^'); j++; }
        if (j < p.Length && p[j] == ']') { sb.Append(@"\]"); j++; }
        while (j < p.Length && p[j] != ']')
        {
            char c = p[j];
            if (c == '\\') { j = TranslateEscape(p, j, sb, inClass: true); continue; }
            if (c == '[') throw new ArgumentException("nested character classes and POSIX brackets are not supported.");
            if (c == '&' && j + 1 < p.Length && p[j + 1] == '&') throw new ArgumentException("class intersection '&&' is not supported.");
            sb.Append(c);
            j++;
        }
        if (j >= p.Length) throw new ArgumentException("unterminated character class.");
        sb.Append(']');
        return j + 1;
    }
}
