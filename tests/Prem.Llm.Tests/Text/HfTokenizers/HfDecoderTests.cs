using System.Text;
using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfDecoderTests
{
    static HfDecoder Decoder(string json) => HfDecoder.Parse(JsonDocument.Parse(json).RootElement, new HfJsonReader("t.json"), "decoder");

    [Fact]
    public void ByteLevel_MapsTheAlphabetBack_ForeignCharactersKeepTheirUtf8()
    {
        var d = Decoder("""{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}""");
        Assert.Equal(" hello"u8.ToArray(), d.TokenBytes("Ġhello"));
        Assert.Equal("<｜end▁of▁sentence｜>"u8.ToArray(), d.TokenBytes("<｜end▁of▁sentence｜>"));
    }

    [Fact]
    public void LlamaChain_ReplaceByteFallbackFuseStrip()
    {
        var d = Decoder("""{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]}""");
        Assert.Equal(" hi"u8.ToArray(), d.TokenBytes("▁hi"));
        Assert.Equal(new byte[] { 0xE2 }, d.TokenBytes("<0xE2>"));
        Assert.Equal("<0xZZ>"u8.ToArray(), d.TokenBytes("<0xZZ>"));
        Assert.True(d.StripLeadingSpace);
    }

    [Fact]
    public void Metaspace_DropsEveryReplacementOfTheFirstTokenOnly()
    {
        // tokenizers' Metaspace::decode_chain: token 0 loses its "▁"s, later tokens turn them into spaces.
        var d = Decoder("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}""");
        Assert.Equal("hi"u8.ToArray(), d.TokenBytes("▁▁hi", first: true));
        Assert.Equal("  hi"u8.ToArray(), d.TokenBytes("▁▁hi"));
        var never = Decoder("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":true}""");
        Assert.Equal(" hi"u8.ToArray(), never.TokenBytes("▁hi", first: true));
    }

    [Fact]
    public void NoDecoder_JoinsTokensWithSpaces()
    {
        var d = HfDecoder.Parse(default, new HfJsonReader("t.json"), "decoder");
        Assert.Equal(" ab"u8.ToArray(), d.TokenBytes("ab"));
        Assert.True(d.StripLeadingSpace);
    }
}
