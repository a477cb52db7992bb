using static TorchSharp.torch;
using Prem.Llm.Native;

namespace Prem.Llm.Tests.Native;

public class TorchSharpNativeTests
{
    [Fact]
    public unsafe void PointsAtTheFirstElementIncludingTheViewOffset()
    {
        using var t = arange(0f, 10f);
        using var view = t[TensorIndex.Slice(3, 10)];
        var basePointer = (float*)TorchSharpNative.DataPointer(t);
        var viewPointer = (float*)TorchSharpNative.DataPointer(view);
        Assert.Equal(3 * sizeof(float), (long)viewPointer - (long)basePointer);
        Assert.Equal(3f, *viewPointer);
        basePointer[9] = 42f;
        Assert.Equal(42f, t[9].item<float>());
    }
}
