using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfAddedVocabularyTests
{
    static string[] Split(HfAddedVocabulary vocabulary, string text, bool matchSpecial = true)
    {
        var splits = new List<(AddedToken? Token, int Start, int End)>();
        vocabulary.Split(text, normalized: false, matchSpecial, splits);
        return [.. splits.Select(s => (s.Token is null ? "" : "#") + text[s.Start..s.End])];
    }

    [Fact]
    public void LeftmostLongest_WithStrips()
    {
        var v = new HfAddedVocabulary(
        [
            new(new AddedToken("<a>", 10, LStrip: true), false, false),
            new(new AddedToken("<a><b>", 11, RStrip: true), false, false),
            new(new AddedToken("<b>", 12), false, false),
        ], null);
        // tokenizers' AddedVocabulary::find_matches: the longest token at the leftmost start; lstrip/rstrip take whitespace.
        // The search resumes after the match itself (7), not after the whitespace rstrip took.
        Assert.Equal(["x", "#<a><b>  ", "y", "#   <a>", "z"], Split(v, "x<a><b>  y   <a>z"));
    }

    [Fact]
    public void SingleWord_AndSpecialTokensKeptAsText()
    {
        var v = new HfAddedVocabulary(
        [
            new(new AddedToken("cat", 5, Special: false), SingleWord: true, Normalized: false),
            new(new AddedToken("<s>", 1), false, false),
        ], null);
        Assert.Equal(["#cat", " ", "#cat"], Split(v, "cat cat"));
        Assert.Equal(["concat cats"], Split(v, "concat cats"));
        Assert.Equal(["a", "#<s>"], Split(v, "a<s>"));
        Assert.Equal(["a<s>"], Split(v, "a<s>", matchSpecial: false));
    }
}
