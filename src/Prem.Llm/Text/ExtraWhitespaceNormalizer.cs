using System.Text;

namespace Prem.Llm.Text;

/// <summary>
/// SentencePiece's identity normalisation with <c>remove_extra_whitespaces</c> on (e.g. llama2.c's
/// stories models), as normalizer.cc does it: leading spaces dropped, runs of spaces folded to one,
/// then trailing "▁" dropped — including "▁" typed in the input and the dummy prefix itself, so
/// whitespace-only text yields nothing. Microsoft.ML.Tokenizers 2.0.1's SentencePieceNormalizer gets
/// this case wrong (a one-character input such as "0" normalises to ""), so it is written out here.
/// </summary>
internal static class ExtraWhitespaceNormalizer
{
    /// <summary>Normalises <paramref name="text"/>: spaces escaped to "▁", dummy prefix when asked.</summary>
    public static string Normalize(string text, bool addDummyPrefix)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0;
        while (start < text.Length && text[start] == ' ') start++;
        if (start == text.Length) return "";
        var sb = new StringBuilder(text.Length - start + 1);
        if (addDummyPrefix) sb.Append('\u2581');
        bool previousWasSpace = true;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (c == ' ')
            {
                if (!previousWasSpace) sb.Append('\u2581');
                previousWasSpace = true;
            }
            else
            {
                sb.Append(c);
                previousWasSpace = false;
            }
        }
        int end = sb.Length;
        while (end > 0 && sb[end - 1] == '\u2581') end--;
        return sb.ToString(0, end);
    }
}
