using System.Text;
using System.Text.RegularExpressions;

namespace Prem.Llm.Text;

/// <summary>How a split keeps the matched delimiter (HF tokenizers' <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior
{
    /// <summary>Matches are dropped.</summary>
    Removed,

    /// <summary>Matches are pieces of their own.</summary>
    Isolated,

    /// <summary>A match joins the piece before it.</summary>
    MergedWithPrevious,

    /// <summary>A match joins the piece after it.</summary>
    MergedWithNext,

    /// <summary>Adjacent matches form one piece.</summary>
    Contiguous,
}

/// <summary>
/// One split rule: a pattern (regex, literal string, or a per-character test), a behavior and
/// <c>invert</c>. <see cref="Split"/> gives the same pieces as tokenizers' <c>NormalizedString::split</c>:
/// the text is cut into alternating non-matches and matches (<c>Pattern::find_matches</c>; a character
/// test makes each matching character its own match), the behavior merges or drops them, and empty
/// pieces are left out.
/// </summary>
internal sealed class HfSplitter
{
    readonly Regex? _regex;
    readonly string? _literal;
    readonly Func<Rune, bool>? _isDelimiter;

    HfSplitter(Regex? regex, string? literal, Func<Rune, bool>? isDelimiter, SplitBehavior behavior, bool invert)
    {
        _regex = regex;
        _literal = literal;
        _isDelimiter = isDelimiter;
        Behavior = behavior;
        Invert = invert;
    }

    /// <summary>The behavior.</summary>
    public SplitBehavior Behavior { get; }

    /// <summary>Whether matches and non-matches swap roles.</summary>
    public bool Invert { get; }

    /// <summary>A regex split.</summary>
    public static HfSplitter ForRegex(Regex regex, SplitBehavior behavior, bool invert = false) => new(regex, null, null, behavior, invert);

    /// <summary>A split at each occurrence of <paramref name="literal"/>.</summary>
    public static HfSplitter ForString(string literal, SplitBehavior behavior, bool invert = false) => new(null, literal, null, behavior, invert);

    /// <summary>A split at each character for which <paramref name="isDelimiter"/> holds.</summary>
    public static HfSplitter ForChars(Func<Rune, bool> isDelimiter, SplitBehavior behavior, bool invert = false) => new(null, null, isDelimiter, behavior, invert);

    /// <summary>Appends the pieces of <paramref name="text"/> as (start, length) ranges.</summary>
    public void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        if (_regex is not null && Behavior == SplitBehavior.Isolated)
        {
            // The hot path (every byte-level tokenizer): isolated pieces are just matches and the gaps between them.
            var found = new List<(int Index, int Length)>();
            HfRegex.Matches(_regex, text, found);
            int prev = 0;
            foreach (var (index, length) in found)
            {
                if (index > prev) pieces.Add((prev, index - prev));
                if (length > 0) pieces.Add((index, length));
                prev = index + length;
            }
            if (prev < text.Length) pieces.Add((prev, text.Length - prev));
            return;
        }
        var matches = new List<(int Start, int End, bool IsMatch)>();
        FindMatches(text, matches);
        if (Invert)
            for (int k = 0; k < matches.Count; k++) matches[k] = matches[k] with { IsMatch = !matches[k].IsMatch };
        var merged = Apply(matches, Behavior);
        foreach (var (start, end, remove) in merged)
            if (!remove && end > start) pieces.Add((start, end - start));
    }

    void FindMatches(ReadOnlySpan<char> text, List<(int, int, bool)> matches)
    {
        if (text.IsEmpty) { matches.Add((0, 0, false)); return; }
        int prev = 0;
        if (_regex is not null)
        {
            var found = new List<(int Index, int Length)>();
            HfRegex.Matches(_regex, text, found);
            foreach (var (index, length) in found)
            {
                if (index != prev) matches.Add((prev, index, false));
                matches.Add((index, index + length, true));
                prev = index + length;
            }
        }
        else if (_literal is not null)
        {
            if (_literal.Length > 0)
            {
                int at;
                while ((at = text[prev..].IndexOf(_literal, StringComparison.Ordinal)) >= 0)
                {
                    at += prev;
                    if (at != prev) matches.Add((prev, at, false));
                    matches.Add((at, at + _literal.Length, true));
                    prev = at + _literal.Length;
                }
            }
        }
        else
        {
            int i = 0;
            while (i < text.Length)
            {
                Rune.DecodeFromUtf16(text[i..], out var rune, out int used);
                if (_isDelimiter!(rune))
                {
                    if (prev < i) matches.Add((prev, i, false));
                    matches.Add((i, i + used, true));
                    prev = i + used;
                }
                i += used;
            }
        }
        if (prev != text.Length) matches.Add((prev, text.Length, false));
    }

    // tokenizers' NormalizedString::split: (start, end, remove) per piece.
    static List<(int Start, int End, bool Remove)> Apply(List<(int Start, int End, bool IsMatch)> matches, SplitBehavior behavior)
    {
        var acc = new List<(int Start, int End, bool Remove)>(matches.Count);
        bool previousMatch = false;
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var (s, e, _) in matches) acc.Add((s, e, false));
                break;
            case SplitBehavior.Removed:
                foreach (var (s, e, m) in matches) acc.Add((s, e, m));
                break;
            case SplitBehavior.Contiguous:
                foreach (var (s, e, m) in matches)
                {
                    if (m == previousMatch && acc.Count > 0) acc[^1] = acc[^1] with { End = e };
                    else acc.Add((s, e, false));
                    previousMatch = m;
                }
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach (var (s, e, m) in matches)
                {
                    if (m && !previousMatch && acc.Count > 0) acc[^1] = acc[^1] with { End = e };
                    else acc.Add((s, e, false));
                    previousMatch = m;
                }
                break;
            case SplitBehavior.MergedWithNext:
                for (int k = matches.Count - 1; k >= 0; k--)
                {
                    var (s, e, m) = matches[k];
                    if (m && !previousMatch && acc.Count > 0) acc[^1] = acc[^1] with { Start = s };
                    else acc.Add((s, e, false));
                    previousMatch = m;
                }
                acc.Reverse();
                break;
        }
        return acc;
    }

    /// <summary>Reads a behavior name as tokenizers writes it.</summary>
    public static SplitBehavior ParseBehavior(string name, HfJsonReader json, string field) => name switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw json.Error(field, $"unknown split behavior '{name}'."),
    };
}
