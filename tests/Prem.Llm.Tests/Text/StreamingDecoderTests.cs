using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class StreamingDecoderTests
{
    static string Stream(ITextTokenizer tok, StreamingDecoder decoder, IEnumerable<int> ids) =>
        string.Concat(ids.Select(decoder.Push)) + decoder.Flush();

    [Fact]
    public void ConcatenatedDeltas_EqualDecode_OnEveryGoldenRow()
    {
        foreach (var (_, _, ids) in TextTestData.Golden("llama2_golden.jsonl"))
            Assert.Equal(TextTestData.Llama2.Decode(ids), Stream(TextTestData.Llama2, TextTestData.Llama2.CreateStreamingDecoder(), ids));
        foreach (var (_, _, ids) in TextTestData.Golden("llama3_golden.jsonl"))
            Assert.Equal(TextTestData.Llama3.Decode(ids), Stream(TextTestData.Llama3, TextTestData.Llama3.CreateStreamingDecoder(), ids));
    }

    [Fact]
    public void ByteFallbackCharacter_ComesOutWhenComplete()
    {
        var tok = TextTestData.Llama2;
        var ids = tok.Encode("😀"); // ▁ + four byte pieces F0 9F 98 80
        Assert.Equal(5, ids.Count);
        var decoder = tok.CreateStreamingDecoder();
        var deltas = ids.Select(decoder.Push).ToList();
        Assert.Equal(["", "", "", "", "😀"], deltas);
    }

    [Fact]
    public void LeadingSpace_DroppedOnlyAtStart()
    {
        var tok = TextTestData.Llama2;
        var decoder = tok.CreateStreamingDecoder();
        var deltas = tok.Encode("Hello world").Select(decoder.Push).ToList();
        Assert.Equal(["Hello", " world"], deltas);
    }

    [Fact]
    public void SpecialTokens_SkippedOrShown()
    {
        var tok = TextTestData.PremChat;
        int[] ids = [1, .. tok.Encode("Hi"), 32002];
        Assert.Equal("Hi", Stream(tok, tok.CreateStreamingDecoder(), ids));
        Assert.Equal("<s> Hi<|eot_id|>", Stream(tok, tok.CreateStreamingDecoder(skipSpecialTokens: false), ids));
    }

    [Fact]
    public void Flush_EmitsReplacementForIncompleteBytes()
    {
        var tok = TextTestData.Llama2;
        var decoder = tok.CreateStreamingDecoder();
        int f0 = tok.TokenToId("<0xF0>")!.Value;
        Assert.Equal("", decoder.Push(f0));
        Assert.Equal("\uFFFD", decoder.Flush());
    }
}
