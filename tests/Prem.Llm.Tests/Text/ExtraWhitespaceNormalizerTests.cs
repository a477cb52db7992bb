using Microsoft.ML.Tokenizers;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ExtraWhitespaceNormalizerTests
{
    // Expected strings are the pieces real SentencePiece (wasm build) produced for stories260K, joined.
    [Theory]
    [InlineData("a\u2581\u2581b", "\u2581a\u2581\u2581b")]
    [InlineData("a \u2581 b", "\u2581a\u2581\u2581\u2581b")]
    [InlineData("\u2581a", "\u2581\u2581a")]
    [InlineData("a\u2581", "\u2581a")]
    [InlineData("a  b", "\u2581a\u2581b")]
    [InlineData("   Hello   world  ", "\u2581Hello\u2581world")]
    [InlineData(" \u2581 ", "")]
    [InlineData("   ", "")]
    [InlineData("\t", "\u2581\t")]
    [InlineData("0", "\u25810")]
    public void MatchesSentencePiece(string input, string expected) =>
        Assert.Equal(expected, ExtraWhitespaceNormalizer.Normalize(input, addDummyPrefix: true));

    [Fact]
    public void WithoutDummyPrefix_NoLeadingMarker() =>
        Assert.Equal("a\u2581b", ExtraWhitespaceNormalizer.Normalize("  a   b ", addDummyPrefix: false));

    [Fact]
    public void MicrosoftMlNormalizer_LosesSingleCharacterInput()
    {
        // Why this class exists: the library's normalizer with removeExtraWhiteSpaces drops "0" entirely.
        var ml = new SentencePieceNormalizer(removeExtraWhiteSpaces: true, addDummyPrefix: true, escapeWhiteSpaces: true, treatWhitespaceAsSuffix: false, specialTokens: null);
        Assert.NotEqual("\u25810", ml.Normalize("0"));
        Assert.Equal("\u25810", ExtraWhitespaceNormalizer.Normalize("0", addDummyPrefix: true));
    }
}
