using System.Buffers;

namespace Prem.Llm.Text;

/// <summary>One piece of text split at added tokens: either an added token or a run of ordinary text.</summary>
/// <param name="Token">The added token, or null for ordinary text.</param>
/// <param name="Start">Start of the ordinary text in the input (for a token: where the match began).</param>
/// <param name="Length">Length of the ordinary text (for a token: the matched length, stripped whitespace included).</param>
internal readonly record struct TextSplit(AddedToken? Token, int Start, int Length);

/// <summary>
/// Splits text at added-token strings the way HF's tokenizers do before encoding: leftmost match
/// first, the longest token when several start at the same place, with lstrip/rstrip honoured.
/// Only <see cref="ITextTokenizer"/> callers that ask for HF's behaviour use this; plain encoding never does.
/// </summary>
internal sealed class AddedTokenSplitter
{
    readonly Dictionary<char, AddedToken[]> _byFirstChar;
    readonly SearchValues<char> _firstChars;

    /// <summary>Creates a splitter over <paramref name="tokens"/>.</summary>
    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        _firstChars = SearchValues.Create(_byFirstChar.Keys.ToArray());
    }

    /// <summary>Splits <paramref name="text"/> into ordinary runs and added tokens, in order; empty runs are omitted.</summary>
    public List<TextSplit> Split(string text)
    {
        var result = new List<TextSplit>();
        int segmentStart = 0, pos = 0;
        while (pos < text.Length)
        {
            int found = text.AsSpan(pos).IndexOfAny(_firstChars);
            if (found < 0) break;
            pos += found;
            AddedToken? match = null;
            foreach (var t in _byFirstChar[text[pos]])
            {
                if (text.AsSpan(pos).StartsWith(t.Content, StringComparison.Ordinal)) { match = t; break; }
            }
            if (match is null) { pos++; continue; }
            int tokenStart = pos, tokenEnd = pos + match.Content.Length;
            if (match.LStrip) while (tokenStart > segmentStart && char.IsWhiteSpace(text[tokenStart - 1])) tokenStart--;
            if (match.RStrip) while (tokenEnd < text.Length && char.IsWhiteSpace(text[tokenEnd])) tokenEnd++;
            if (tokenStart > segmentStart) result.Add(new TextSplit(null, segmentStart, tokenStart - segmentStart));
            result.Add(new TextSplit(match, tokenStart, tokenEnd - tokenStart));
            segmentStart = pos = tokenEnd;
        }
        if (segmentStart < text.Length) result.Add(new TextSplit(null, segmentStart, text.Length - segmentStart));
        return result;
    }
}
