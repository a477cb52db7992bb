using Prem.Llm.Gguf;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Gguf;

public sealed class RopePermutationTests
{
    [Fact]
    public void InterleavesTheHalvesOfEachHead()
    {
        // 2 heads of 4 rows: HF rows (x0 x1 | y0 y1) per head become (x0 y0 x1 y1), as llama.cpp's converter permutes.
        using var w = arange(8, ScalarType.Float32).reshape(8, 1);
        using var p = RopePermutation.ToGguf(w, heads: 2);
        Assert.Equal([0f, 2, 1, 3, 4, 6, 5, 7], p.reshape(-1).data<float>().ToArray());
    }

    [Fact]
    public void ToHf_UndoesToGguf_ForWeightsAndBiases()
    {
        using var w = randn(48, 5);
        using var back = RopePermutation.ToHf(RopePermutation.ToGguf(w, 3), 3);
        Assert.True(w.equal(back).all().item<bool>());
        using var b = randn(32);
        using var backBias = RopePermutation.ToHf(RopePermutation.ToGguf(b, 4), 4);
        Assert.True(b.equal(backBias).all().item<bool>());
    }
}
