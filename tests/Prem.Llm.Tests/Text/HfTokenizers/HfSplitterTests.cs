using System.Text.RegularExpressions;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfSplitterTests
{
    static string[] Pieces(HfSplitter splitter, string text)
    {
        var pieces = new List<(int Start, int Length)>();
        splitter.Split(text, pieces);
        return [.. pieces.Select(p => text.Substring(p.Start, p.Length))];
    }

    // tokenizers/src/pre_tokenizers/split.rs, test `basic`: the whitespace regex \w+|[^\w\s]+ with invert = true.
    [Theory]
    [InlineData("Removed", new[] { "How", "are", "you", "doing", "?" })]
    [InlineData("Isolated", new[] { "How", " ", "are", " ", "you", " ", "doing", "?" })]
    [InlineData("MergedWithPrevious", new[] { "How ", "are ", "you ", "doing", "?" })]
    [InlineData("MergedWithNext", new[] { "How", " are", " you", " doing", "?" })]
    [InlineData("Contiguous", new[] { "How", " ", "are", " ", "you", " ", "doing?" })]
    public void Behaviors_MatchTokenizersSplitTests(string behavior, string[] expected)
    {
        var regex = new Regex(HfRegex.Translate(@"\w+|[^\w\s]+"));
        Assert.Equal(expected, Pieces(HfSplitter.ForRegex(regex, Enum.Parse<SplitBehavior>(behavior), invert: true), "How are you doing?"));
    }

    [Fact]
    public void CharacterTest_MakesEachMatchingCharacterAMatch()
    {
        // Digits(individual_digits = false) is Contiguous over char::is_numeric: "Hey 123 friend!" → "Hey ", "123", " friend!".
        var digits = HfSplitter.ForChars(System.Text.Rune.IsDigit, SplitBehavior.Contiguous);
        Assert.Equal(["Hey ", "123", " friend!"], Pieces(digits, "Hey 123 friend!"));
        var single = HfSplitter.ForChars(System.Text.Rune.IsDigit, SplitBehavior.Isolated);
        Assert.Equal(["Hey ", "1", "2", "3", " friend!"], Pieces(single, "Hey 123 friend!"));
    }

    [Fact]
    public void LiteralPattern_EmptyMatchesNothing()
    {
        Assert.Equal(["a", "b", "c"], Pieces(HfSplitter.ForString("-", SplitBehavior.Removed), "a-b--c"));
        Assert.Equal(["abc"], Pieces(HfSplitter.ForString("", SplitBehavior.Removed), "abc"));
    }

    [Fact]
    public void AstralCharacters_MatchTheirCategory()
    {
        // Oniguruma sees 🍕 (So) as one symbol and 𝐀 (Lu) as a letter; .NET would see two surrogates.
        var regex = new Regex(@"\p{L}+|\p{S}+");
        Assert.Equal(["𝐀𝐁", " ", "🍕🍕"], Pieces(HfSplitter.ForRegex(regex, SplitBehavior.Isolated), "𝐀𝐁 🍕🍕"));
    }
}
