using Prem.Llm.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

public class TensorBytesTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 64)]
    [InlineData(ScalarType.BFloat16, 6)]
    [InlineData(ScalarType.Float64, 3)] // smaller than one element: still one element per chunk
    public void Chunks_CoverTheStorageInOrder(ScalarType dtype, int chunkBytes)
    {
        using var t = CheckpointTestFiles.RandomBits([5, 7], dtype, new Random(7));
        var expected = CheckpointTestFiles.Bytes(t);
        var seen = new List<byte>();
        var offsets = new List<long>();
        TensorBytes.ForEachChunk(t, expected.Length, (chunk, offset) =>
        {
            offsets.Add(offset);
            Assert.Equal(seen.Count, offset);
            seen.AddRange(chunk.ToArray());
        }, chunkBytes);
        Assert.Equal(expected, seen.ToArray());
        Assert.True(offsets.Count > 1);
    }

    [Fact]
    public void Chunks_WriteIntoTheTensor()
    {
        using var t = torch.zeros(10, ScalarType.Int32);
        TensorBytes.ForEachChunk(t, 40, (chunk, offset) => chunk.Fill((byte)(offset / 8 + 1)), chunkBytes: 8);
        // Element i lies in chunk i / 2 and holds that chunk's byte in each of its 4 bytes.
        var values = t.data<int>().ToArray();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((i / 2 + 1) * 0x01010101, values[i]);
        }
    }

    [Fact]
    public void NonContiguousTensor_IsRejected()
    {
        using var t = torch.zeros(3, 4).t();
        Assert.Throws<ArgumentException>(() => TensorBytes.ForEachChunk(t, 48, (_, _) => { }));
    }
}
