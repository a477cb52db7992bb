namespace Prem.Llm.Text.Templates;

/// <summary>
/// Python's whitespace set (<c>str.isspace()</c>, also what <c>re</c>'s <c>\s</c> matches) and the
/// <c>strip</c> family with and without a character set. Kept here rather than shared with
/// <c>PythonStrip</c> because this namespace sits below <c>Prem.Llm.Text</c>.
/// </summary>
internal static class PyText
{
    public static bool IsSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or '\x1c' or '\x1d' or '\x1e' or '\x1f' or ' ' or '\x85' or '\xa0' => true,
        '\u1680' or (>= '\u2000' and <= '\u200a') or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        _ => false,
    };

    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        int start = 0, end = s.Length;
        if (left) while (start < end && Strippable(s[start], chars)) start++;
        if (right) while (end > start && Strippable(s[end - 1], chars)) end--;
        return start == 0 && end == s.Length ? s : s[start..end];
    }

    static bool Strippable(char c, string? chars) => chars is null ? IsSpace(c) : chars.Contains(c);

    public static bool AllSpace(string s, int from)
    {
        if (from >= s.Length) return false;
        for (int i = from; i < s.Length; i++) if (!IsSpace(s[i])) return false;
        return true;
    }
}
