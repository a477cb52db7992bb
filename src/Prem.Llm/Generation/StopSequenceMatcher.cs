namespace Prem.Llm.Generation;

/// <summary>
/// Text-level stop sequences (OpenAI's <c>stop</c>, <c>ChatOptions.StopSequences</c>) over streamed text.
/// Each <see cref="Push"/> returns the text that is safe to show: a tail that could still be the start of a
/// stop sequence is held back until the next delta settles it. When a sequence appears, the text before it
/// is returned, <see cref="Stopped"/> turns true and the sequence and everything after it are dropped.
/// Matching is ordinal (by UTF-16 code units, so any Unicode text works); a surrogate pair is never split.
/// </summary>
public sealed class StopSequenceMatcher
{
    readonly string[] _stops;
    string _held = "";

    /// <summary>Creates a matcher for <paramref name="stopSequences"/> (none: every delta passes through at once).</summary>
    /// <exception cref="ArgumentException">A sequence is null or empty.</exception>
    public StopSequenceMatcher(IEnumerable<string>? stopSequences)
    {
        _stops = [.. stopSequences ?? []];
        for (int i = 0; i < _stops.Length; i++)
            if (string.IsNullOrEmpty(_stops[i]))
                throw new ArgumentException($"Stop sequence {i} is empty; a stop sequence needs at least one character.", nameof(stopSequences));
    }

    /// <summary>True once a stop sequence has appeared; later pushes return nothing.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The stop sequence that matched, or null.</summary>
    public string? Matched { get; private set; }

    /// <summary>Adds <paramref name="delta"/>; returns the text that can be emitted now (possibly empty).</summary>
    public string Push(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (Stopped) return "";
        string text = _held + delta;
        if (_stops.Length == 0) return TakeSafe(text, 0);

        int first = -1;
        foreach (string stop in _stops)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first || (at == first && stop.Length > Matched!.Length)))
            {
                first = at;
                Matched = stop;
            }
        }
        if (first >= 0)
        {
            Stopped = true;
            _held = "";
            return text[..first];
        }
        return TakeSafe(text, LongestPrefixTail(text));
    }

    /// <summary>Ends the stream: returns the held-back text (nothing after a stop).</summary>
    public string Flush()
    {
        string rest = Stopped ? "" : _held;
        _held = "";
        return rest;
    }

    /// <summary>Returns <paramref name="text"/> but its last <paramref name="hold"/> chars (and a trailing high surrogate), which are held.</summary>
    string TakeSafe(string text, int hold)
    {
        int cut = text.Length - hold;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        _held = text[cut..];
        return text[..cut];
    }

    /// <summary>The length of the longest tail of <paramref name="text"/> that is a proper start of some stop sequence.</summary>
    int LongestPrefixTail(string text)
    {
        int best = 0;
        foreach (string stop in _stops)
            for (int n = Math.Min(stop.Length - 1, text.Length); n > best; n--)
                if (text.AsSpan(text.Length - n).SequenceEqual(stop.AsSpan(0, n)))
                {
                    best = n;
                    break;
                }
        return best;
    }
}
