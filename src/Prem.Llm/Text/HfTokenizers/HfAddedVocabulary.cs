using System.Globalization;
using System.Text;

namespace Prem.Llm.Text;

/// <summary>One entry of tokenizer.json's <c>added_tokens</c>, with the options the <see cref="AddedToken"/> record lacks.</summary>
/// <param name="Token">Content, id, special, lstrip, rstrip.</param>
/// <param name="SingleWord">Matches only when not inside a word.</param>
/// <param name="Normalized">Matched against the normalized text (else against the raw text, before normalization).</param>
internal sealed record HfAddedToken(AddedToken Token, bool SingleWord, bool Normalized);

/// <summary>
/// Finds added tokens in text as tokenizers' <c>AddedVocabulary</c> does: tokens with
/// <c>normalized: false</c> are found in the raw text first, the rest in each normalized segment (their
/// patterns normalized too). Matching is leftmost-longest and non-overlapping (Aho-Corasick
/// <c>LeftmostLongest</c>); a match is then dropped when <c>single_word</c> fails or when it is a special
/// token and special tokens are to stay text (tokenizers' <c>encode_special_tokens</c>; the search resumes
/// after the dropped match, as there); <c>lstrip</c>/<c>rstrip</c> absorb neighbouring whitespace.
/// </summary>
internal sealed class HfAddedVocabulary
{
    readonly Matcher _raw;
    readonly Matcher _normalized;

    /// <summary>Builds the two matchers; <paramref name="normalizer"/> normalizes the patterns of normalized tokens.</summary>
    public HfAddedVocabulary(IReadOnlyList<HfAddedToken> tokens, HfNormalizer? normalizer)
    {
        _raw = new Matcher(tokens.Where(t => !t.Normalized).Select(t => (t.Token.Content, t)));
        _normalized = new Matcher(tokens.Where(t => t.Normalized).Select(t => (normalizer?.Normalize(t.Token.Content) ?? t.Token.Content, t)));
    }

    /// <summary>Whether any token is matched in raw text / in normalized text.</summary>
    public bool HasRaw => _raw.Count > 0;

    /// <summary>Whether any token is matched in normalized text.</summary>
    public bool HasNormalized => _normalized.Count > 0;

    /// <summary>
    /// Cuts <paramref name="text"/> into (token or null, start, end) pieces, in order, covering the text.
    /// <paramref name="normalized"/> selects the matcher; <paramref name="matchSpecial"/> false leaves special tokens as text.
    /// </summary>
    public void Split(string text, bool normalized, bool matchSpecial, List<(AddedToken? Token, int Start, int End)> splits)
    {
        var matcher = normalized ? _normalized : _raw;
        int startOffset = 0, pos = 0;
        while (matcher.Count > 0 && matcher.Find(text, pos, out int start, out int length, out var token))
        {
            int stop = start + length;
            pos = stop;
            if (!matchSpecial && token.Token.Special) continue;
            if (token.SingleWord)
            {
                bool startSpace = start == 0 || !EndsWithWordChar(text.AsSpan(0, start));
                bool stopSpace = stop == text.Length || !StartsWithWordChar(text.AsSpan(stop));
                if (!startSpace || !stopSpace) continue;
            }
            if (token.Token.LStrip)
            {
                int newStart = start;
                while (newStart > 0 && char.IsWhiteSpace(text[newStart - 1])) newStart--;
                start = Math.Max(newStart, startOffset);
            }
            if (token.Token.RStrip)
                while (stop < text.Length && char.IsWhiteSpace(text[stop])) stop++;
            if (startOffset < start) splits.Add((null, startOffset, start));
            splits.Add((token.Token, start, stop));
            startOffset = stop;
        }
        if (startOffset < text.Length) splits.Add((null, startOffset, text.Length));
    }

    // tokenizers checks single_word with the regex crate's Unicode \w.
    static bool IsWordChar(Rune r) =>
        Rune.IsLetterOrDigit(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.LetterNumber;

    static bool EndsWithWordChar(ReadOnlySpan<char> s) => Rune.DecodeLastFromUtf16(s, out var r, out _) == System.Buffers.OperationStatus.Done && IsWordChar(r);

    static bool StartsWithWordChar(ReadOnlySpan<char> s) => Rune.DecodeFromUtf16(s, out var r, out _) == System.Buffers.OperationStatus.Done && IsWordChar(r);

    /// <summary>Leftmost-longest search over a set of patterns, by first character.</summary>
    sealed class Matcher
    {
        readonly Dictionary<char, (string Pattern, HfAddedToken Token)[]> _byFirst;
        readonly System.Buffers.SearchValues<char> _first;

        public Matcher(IEnumerable<(string Pattern, HfAddedToken Token)> patterns)
        {
            _byFirst = patterns.Where(p => p.Pattern.Length > 0)
                .GroupBy(p => p.Pattern[0])
                .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Pattern.Length).ToArray());
            Count = _byFirst.Values.Sum(a => a.Length);
            _first = System.Buffers.SearchValues.Create([.. _byFirst.Keys]);
        }

        public int Count { get; }

        public bool Find(string text, int from, out int start, out int length, out HfAddedToken token)
        {
            int pos = from;
            while (pos < text.Length)
            {
                int found = text.AsSpan(pos).IndexOfAny(_first);
                if (found < 0) break;
                pos += found;
                foreach (var (pattern, t) in _byFirst[text[pos]])
                {
                    if (text.AsSpan(pos).StartsWith(pattern, StringComparison.Ordinal))
                    {
                        (start, length, token) = (pos, pattern.Length, t);
                        return true;
                    }
                }
                pos++;
            }
            (start, length, token) = (0, 0, null!);
            return false;
        }
    }
}
