using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgmlTypesTests
{
    [Fact]
    public void Geometry_MatchesGgml()
    {
        Assert.Equal((32, 34), GgmlTypes.Geometry(GgmlType.Q8_0));
        Assert.Equal((256, 144), GgmlTypes.Geometry(GgmlType.Q4_K));
        Assert.Equal((1, 2), GgmlTypes.Geometry(GgmlType.BF16));
        Assert.Equal(34L * 4, GgmlTypes.ByteSize(GgmlType.Q8_0, 128));
        Assert.True(GgmlTypes.IsKnown(30));
        Assert.False(GgmlTypes.IsKnown(4)); // Q4_2, removed from ggml
        Assert.True(GgmlTypes.IsSupported(GgmlType.Q8_0));
        Assert.False(GgmlTypes.IsSupported(GgmlType.Q6_K));
    }
}
