using Prem.Llm.Generation;

namespace Prem.Llm.Tests.Generation;

public class StopSequenceMatcherTests
{
    /// <summary>Pushes every delta, flushes, and returns what came out and whether it stopped.</summary>
    static (string Text, bool Stopped, List<string> Parts) Run(string[] stops, params string[] deltas)
    {
        var matcher = new StopSequenceMatcher(stops);
        var parts = deltas.Select(matcher.Push).ToList();
        parts.Add(matcher.Flush());
        return (string.Concat(parts), matcher.Stopped, parts);
    }

    /// <summary>The reference: cut the whole text at the earliest stop sequence (what OpenAI's stop does).</summary>
    static string CutAtFirstStop(string text, string[] stops)
    {
        int cut = stops.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(text.Length).Min();
        return text[..cut];
    }

    [Fact]
    public void Without_stop_sequences_every_delta_passes_through_at_once()
    {
        var (text, stopped, parts) = Run([], "Once", " upon", " a time");
        Assert.Equal("Once upon a time", text);
        Assert.False(stopped);
        Assert.Equal(["Once", " upon", " a time", ""], parts);
    }

    [Fact]
    public void A_sequence_spanning_pushes_is_held_back_then_dropped()
    {
        var matcher = new StopSequenceMatcher(["\nUser:"]);
        Assert.Equal("Hello", matcher.Push("Hello\n"));
        Assert.Equal("", matcher.Push("Us"));
        Assert.Equal("", matcher.Push("er: more"));
        Assert.True(matcher.Stopped);
        Assert.Equal("\nUser:", matcher.Matched);
        Assert.Equal("", matcher.Push("anything"));
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void A_held_tail_that_turns_out_not_to_match_is_released()
    {
        var matcher = new StopSequenceMatcher(["END"]);
        Assert.Equal("the ", matcher.Push("the EN"));
        Assert.Equal("ENough", matcher.Push("ough"));
        Assert.Equal("", matcher.Push("E"));
        Assert.Equal("E", matcher.Flush());
        Assert.False(matcher.Stopped);
    }

    [Fact]
    public void Overlapping_prefixes_find_the_sequence_after_a_false_start()
    {
        // "aab" begins one character into "aaab": after "xaaa" the held tail is "aa" (a prefix), "xa" is already out.
        Assert.Equal(("xa", true), Pick(Run(["aab"], "x", "a", "a", "a", "b", "tail")));
        Assert.Equal(("abac", true), Pick(Run(["abab"], "ab", "a", "c", "ab", "ab")));
        // The earliest of two sequences wins, whichever is listed first.
        Assert.Equal(("one ", true), Pick(Run(["three", "two"], "one two three")));
    }

    [Fact]
    public void A_stop_at_the_very_start_gives_nothing()
    {
        Assert.Equal(("", true), Pick(Run(["<end>"], "<end>", "after")));
        Assert.Equal(("", true), Pick(Run(["<end>"], "<", "e", "nd>")));
    }

    [Fact]
    public void Unicode_sequences_match_and_surrogate_pairs_are_never_split()
    {
        Assert.Equal(("Grüße ", true), Pick(Run(["😀 fin"], "Grüße ", "😀", " f", "in")));
        Assert.Equal(("日本", true), Pick(Run(["語"], "日本", "語です")));
        // A delta that ends with a lone high surrogate (never from StreamingDecoder, but possible from a caller):
        // the surrogate waits for its pair.
        var matcher = new StopSequenceMatcher(["zz"]);
        string emoji = "😀";
        Assert.Equal("a", matcher.Push("a" + emoji[0]));
        Assert.Equal(emoji + "b", matcher.Push(emoji[1] + "b"));
    }

    [Fact]
    public void Empty_or_null_sequences_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new StopSequenceMatcher(["ok", ""]));
        Assert.Contains("Stop sequence 1 is empty", e.Message);
        Assert.Throws<ArgumentException>(() => new StopSequenceMatcher([null!]));
        Assert.False(new StopSequenceMatcher(null).Stopped);
    }

    [Fact]
    public void Any_split_of_a_text_gives_the_text_cut_at_its_first_stop()
    {
        // Property: however the text is cut into deltas, the output equals the whole text cut at the earliest
        // stop sequence, and nothing past it ever comes out.
        var random = new Random(18);
        string[] alphabet = ["a", "b", " ", "é", "😀", "\n"];
        string[][] stopSets = [["ab"], ["aab", "b\n"], ["😀a"], ["é é", "\n\n"], ["abab", "ba"]];
        for (int trial = 0; trial < 2000; trial++)
        {
            var chars = new System.Text.StringBuilder();
            for (int i = random.Next(0, 14); i > 0; i--) chars.Append(alphabet[random.Next(alphabet.Length)]);
            string text = chars.ToString();
            var stops = stopSets[random.Next(stopSets.Length)];
            var deltas = new List<string>();
            for (int at = 0; at < text.Length;)
            {
                int n = Math.Min(text.Length - at, random.Next(1, 4));
                if (char.IsHighSurrogate(text[at + n - 1]) && at + n < text.Length) n++;
                deltas.Add(text.Substring(at, n));
                at += n;
            }
            var (got, stopped, _) = Run(stops, [.. deltas]);
            string expected = CutAtFirstStop(text, stops);
            Assert.True(expected == got, $"text '{text}' split as [{string.Join("|", deltas)}] with stops [{string.Join("|", stops)}]: got '{got}', expected '{expected}'");
            Assert.Equal(stops.Any(s => text.Contains(s, StringComparison.Ordinal)), stopped);
        }
    }

    static (string, bool) Pick((string Text, bool Stopped, List<string> _) r) => (r.Text, r.Stopped);
}
