using Prem.Llm.Text;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// The Python <c>str</c> operations lm-eval's templates use besides stripping (which is
/// <see cref="PythonStrip"/>), with Python's semantics: <c>len()</c> counts code points, not UTF-16
/// units, and <c>capitalize()</c> title-cases the first character.
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>len(str)</c>: the number of Unicode code points.</summary>
    public static int CodePointLength(string text)
    {
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            n++;
        }
        return n;
    }

    /// <summary>
    /// Python 3.8+ <c>str.capitalize()</c>: the first character in title case, the rest in lower case.
    /// Title case differs from upper case only for the Latin digraphs (e.g. U+01C6 → U+01C5), handled
    /// here; Python's context-dependent final-sigma rule is not reproduced.
    /// </summary>
    public static string Capitalize(string text)
    {
        if (text.Length == 0) return text;
        int firstLength = char.IsHighSurrogate(text[0]) && text.Length > 1 ? 2 : 1;
        string first = text[..firstLength];
        string head = first.Length == 1 ? TitleCase(first[0]).ToString() : first.ToUpperInvariant();
        return head + text[firstLength..].ToLowerInvariant();
    }

    private static char TitleCase(char c) => c switch
    {
        '\u01C4' or '\u01C5' or '\u01C6' => '\u01C5',
        '\u01C7' or '\u01C8' or '\u01C9' => '\u01C8',
        '\u01CA' or '\u01CB' or '\u01CC' => '\u01CB',
        '\u01F1' or '\u01F2' or '\u01F3' => '\u01F2',
        _ => char.ToUpperInvariant(c),
    };
}
