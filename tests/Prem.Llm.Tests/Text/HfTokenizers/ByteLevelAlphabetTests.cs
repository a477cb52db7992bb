using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ByteLevelAlphabetTests
{
    [Fact]
    public void Gpt2Table_KnownCharacters()
    {
        // GPT-2's bytes_to_unicode: space → Ġ (U+0120), newline → Ċ (U+010A), '!' stays, 0xAD → U+0143 (the last one).
        Assert.Equal('\u0120', ByteLevelAlphabet.ByteToChar[' ']);
        Assert.Equal('\u010A', ByteLevelAlphabet.ByteToChar['\n']);
        Assert.Equal('!', ByteLevelAlphabet.ByteToChar['!']);
        Assert.Equal('\u0143', ByteLevelAlphabet.ByteToChar[0xAD]);
        Assert.Equal("ĠhÃ©", ByteLevelAlphabet.Encode(" hé"));
    }

    [Fact]
    public void EveryByte_RoundTrips()
    {
        Assert.Equal(256, ByteLevelAlphabet.ByteToChar.Distinct().Count());
        for (int b = 0; b < 256; b++) Assert.Equal(new[] { (byte)b }, ByteLevelAlphabet.Decode(ByteLevelAlphabet.ByteToChar[b].ToString()));
    }
}
