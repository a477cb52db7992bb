using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class ITextTokenizerTests
{
    // A minimal implementation written against the original members only: the added EncodeSegment must not break it.
    sealed class CharTokenizer : ITextTokenizer
    {
        public int VocabSize => 256;
        public int BosId => 1;
        public int EosId => 2;
        public int? PadId => null;
        public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false) => text.Select(c => (int)c).ToList();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => string.Concat(ids.Select(i => (char)i));
        public int? TokenToId(string token) => token.Length == 1 ? token[0] : null;
    }

    [Fact]
    public void EncodeSegment_DefaultsToEncode()
    {
        ITextTokenizer t = new CharTokenizer();
        Assert.Equal(t.Encode("ab"), t.EncodeSegment("ab", followsSpecialToken: true));
    }

    [Fact]
    public void SentencePiece_EncodeSegmentAtStart_EqualsEncode()
    {
        ITextTokenizer t = TextTestData.Llama2;
        Assert.Equal(t.Encode("Hello world"), t.EncodeSegment("Hello world", followsSpecialToken: false));
    }
}
