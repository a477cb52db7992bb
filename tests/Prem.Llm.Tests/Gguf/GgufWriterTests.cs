using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgufWriterTests
{
    [Fact]
    public void HeaderStartsWithMagicVersionAndCounts()
    {
        var bytes = GgufTestFiles.Small();
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BitConverter.ToUInt32(bytes, 4));
        Assert.Equal(4ul, BitConverter.ToUInt64(bytes, 8)); // tensors
        Assert.Equal(8ul, BitConverter.ToUInt64(bytes, 16)); // metadata pairs
    }

    [Fact]
    public void Misuse_IsRefused()
    {
        var w = new GgufWriter();
        w.AddString("a", "x");
        Assert.Throws<ArgumentException>(() => w.AddUInt32("a", 1));
        Assert.Throws<ArgumentException>(() => w.AddTensor("q", [33], GgmlType.Q8_0));
        Assert.Throws<ArgumentException>(() => w.AddTensor("t", [1, 1, 1, 1, 1], GgmlType.F32));
        Assert.Throws<ArgumentException>(() => new GgufWriter(alignment: 48));
        w.AddTensor("t", [4], GgmlType.F32);
        using var s = new MemoryStream();
        w.WriteHeader(s);
        Assert.Throws<InvalidOperationException>(() => w.WriteTensor(s, "t", sink => sink(new byte[8])));
    }
}
