namespace Prem.Llm.Text;

/// <summary>
/// Python's <c>str.strip()</c> (what Jinja's <c>trim</c> filter calls). Its whitespace set is the
/// characters for which <c>str.isspace()</c> is true; it differs from .NET's <see cref="string.Trim()"/>
/// in U+001C..U+001F (file, group, record and unit separators), which Python strips and .NET keeps.
/// The one implementation for the chat template, the preference data and lm-eval's task templates.
/// </summary>
internal static class PythonStrip
{
    /// <summary>True for the characters Python 3's <c>str.isspace()</c> accepts.</summary>
    public static bool IsPythonWhitespace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or '\x1c' or '\x1d' or '\x1e' or '\x1f' or ' ' or '\x85' or '\xa0' => true,
        '\u1680' or (>= '\u2000' and <= '\u200a') or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        _ => false,
    };

    /// <summary>Python's <c>str.strip()</c> with no arguments: removes leading and trailing Python whitespace.</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0, end = text.Length;
        while (start < end && IsPythonWhitespace(text[start])) start++;
        while (end > start && IsPythonWhitespace(text[end - 1])) end--;
        return text[start..end];
    }

    /// <summary>Python's <c>str.lstrip()</c> with no arguments.</summary>
    public static string LStrip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0;
        while (start < text.Length && IsPythonWhitespace(text[start])) start++;
        return text[start..];
    }

    /// <summary>Python's <c>str.rstrip()</c> with no arguments.</summary>
    public static string RStrip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int end = text.Length;
        while (end > 0 && IsPythonWhitespace(text[end - 1])) end--;
        return text[..end];
    }
}
