using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class TextTokenizerBaseTests
{
    [Fact]
    public void EncodeWithSpecialTokens_HfLegacyPrefixesEverySegment()
    {
        // HF's Llama-2 convention: the segment after <s> is encoded standalone, so "[INST]" starts with "▁[" (518).
        var tok = TextTestData.PremChat;
        var ids = tok.EncodeWithSpecialTokens("<s>[INST]");
        Assert.Equal([1, 518], ids.Take(2));
        Assert.Equal(tok.Encode("[INST]"), ids.Skip(1));
    }

    [Fact]
    public void FirstSegmentOnly_NoPrefixAfterSpecialToken()
    {
        var tok = (SentencePieceTextTokenizer)TokenizerLoader.Load(TextTestData.PremChatFolder, DummyPrefixMode.FirstSegmentOnly);
        var ids = tok.EncodeWithSpecialTokens("Hi<|eot_id|>Hi");
        Assert.Equal(tok.Encode("Hi").Concat([32002]).Concat(tok.EncodeSegment("Hi", followsSpecialToken: true)), ids);
        Assert.NotEqual(tok.Encode("Hi"), tok.EncodeSegment("Hi", followsSpecialToken: true));
        Assert.Equal("Hi", tok.Decode(tok.EncodeSegment("Hi", followsSpecialToken: true)));
        // Under the default convention the segment after a special token is standalone.
        Assert.Equal(TextTestData.PremChat.Encode("Hi"), TextTestData.PremChat.EncodeSegment("Hi", followsSpecialToken: true));
    }

    [Fact]
    public void Decode_SkipsOrKeepsSpecialTokens()
    {
        var tok = TextTestData.PremChat;
        int[] ids = [1, 32000, .. tok.Encode("user"), 32001, .. tok.Encode("Hello"), 32002];
        Assert.Equal("user Hello", tok.Decode(ids));
        Assert.Equal("<s><|start_header_id|> user<|end_header_id|> Hello<|eot_id|>", tok.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void EncodeBatch_KeepsOrderAndEqualsSingleEncoding()
    {
        var tok = TextTestData.Llama2;
        var texts = TextTestData.Golden("llama2_golden.jsonl").Select(r => r.Text).ToList();
        var batch = tok.EncodeBatch(texts, addBos: true, maxDegreeOfParallelism: 2);
        Assert.Equal(texts.Count, batch.Length);
        for (int i = 0; i < texts.Count; i++) Assert.Equal(tok.Encode(texts[i], addBos: true), batch[i]);
    }

    [Fact]
    public void TokenToId_FindsAddedAndVocabularyTokens()
    {
        var tok = TextTestData.PremChat;
        Assert.Equal(32002, tok.TokenToId("<|eot_id|>"));
        Assert.Equal(1, tok.TokenToId("<s>"));
        Assert.Equal(450, tok.TokenToId("\u2581The"));
        Assert.Null(tok.TokenToId("<|nope|>"));
    }
}
