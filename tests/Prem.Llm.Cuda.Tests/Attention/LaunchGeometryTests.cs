using Prem.Llm.Cuda.Attention;

namespace Prem.Llm.Cuda.Tests.Attention;

public class LaunchGeometryTests
{
    [Fact]
    public void TinyLlamaShape()
    {
        var p = AttentionProblem.FixedLength(2, 8192, 8192, 32, 4, 64, true, 0.125f);
        var forward = LaunchGeometry.Forward(p);
        Assert.Equal((128u, 2u, 32u), forward.Grid);
        Assert.Equal(128u, forward.Block);
        Assert.Equal(5u * 64 * 72 * 2, forward.SharedBytes);       // Q + 2 K + 2 V tiles of 64 × (64 + 8) bf16
        var backward = LaunchGeometry.Backward(p);
        Assert.Equal((128u, 2u, 4u), backward.Grid);                // per KV head, not per query head
        Assert.Equal(4u * 64 * 72 * 2 + 64 * 72 * 2 + 2 * 64 * 4, backward.SharedBytes);
        Assert.Equal(((uint)(2 * 8192 * 32 / 4), 1u, 1u), LaunchGeometry.DotDoO(p).Grid);
        Assert.Equal(((uint)(2 * 8192 * 32 * 64 / 128), 1u, 1u), LaunchGeometry.ConvertDq(p).Grid);
    }

    [Theory]
    [InlineData(1, 1u)]
    [InlineData(64, 1u)]
    [InlineData(65, 2u)]
    [InlineData(8192, 128u)]
    public void TilesCoverTheLongestSequence(int longest, uint tiles)
    {
        var p = new AttentionProblem([0, 3, 3 + longest], [0, 3, 3 + longest], 8, 8, 128, false, 0.1f);
        Assert.Equal(tiles, LaunchGeometry.Forward(p).Grid.X);
        Assert.Equal(tiles, LaunchGeometry.Backward(p).Grid.X);
        Assert.Equal(2u, LaunchGeometry.Forward(p).Grid.Y);
        Assert.True(LaunchGeometry.Forward(p).SharedBytes <= 227 * 1024, "more shared memory than an H100 block can have");
    }
}
