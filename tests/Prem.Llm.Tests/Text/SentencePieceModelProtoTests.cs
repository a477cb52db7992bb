using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class SentencePieceModelProtoTests
{
    [Fact]
    public void Llama2_FieldsAsWritten()
    {
        var m = SentencePieceModelProto.Parse(File.ReadAllBytes(TextTestData.Llama2Model), "llama2");
        Assert.Equal(32000, m.Pieces.Count);
        Assert.Equal(2, m.ModelType);
        Assert.True(m.ByteFallback);
        Assert.True(m.AddDummyPrefix);
        Assert.False(m.RemoveExtraWhitespaces);
        Assert.True(m.SplitDigits);
        Assert.Equal("identity", m.NormalizerName);
        Assert.Equal((0, 1, 2, -1), (m.UnkId, m.BosId, m.EosId, m.PadId));
        Assert.Equal(new SentencePieceEntry("<s>", 0, SentencePieceType.Control), m.Pieces[1]);
        Assert.Equal(new SentencePieceEntry("<0x0A>", 0, SentencePieceType.Byte), m.Pieces[13]);
        Assert.Equal("\u2581t", m.Pieces[260].Piece);
        Assert.Equal(256, m.Pieces.Count(p => p.Type == SentencePieceType.Byte));
    }

    [Fact]
    public void Stories260K_DefaultsApplyForAbsentFields()
    {
        // Its NormalizerSpec has only a name: remove_extra_whitespaces and add_dummy_prefix take proto defaults.
        var m = SentencePieceModelProto.Parse(File.ReadAllBytes(TextTestData.StoriesModel), "stories");
        Assert.Equal(512, m.Pieces.Count);
        Assert.True(m.RemoveExtraWhitespaces);
        Assert.True(m.AddDummyPrefix);
        Assert.True(m.SplitDigits);
        Assert.True(m.SplitByWhitespace);
        Assert.True(m.ByteFallback);
    }

    [Fact]
    public void Garbage_ThrowsNamingTheSource()
    {
        var e = Assert.Throws<TextDataException>(() => SentencePieceModelProto.Parse([0x0a, 0xff, 0xff, 0xff], "bad.model"));
        Assert.Equal("bad.model", e.Source);
        Assert.StartsWith("bad.model:", e.Message);
    }
}
