using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Runtime;

public class KernelSourceTests
{
    [Fact]
    public void ProgramIsTheFilesInOrder()
    {
        var text = KernelSource.FlashAttention;
        var positions = KernelSource.FlashAttentionFiles.Select(f => text.IndexOf(KernelSource.Read(f), StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        Assert.DoesNotContain("#include", text);
    }

    [Fact]
    public void MissingFileNamesTheResource()
    {
        var e = Assert.Throws<CudaException>(() => KernelSource.Read("nope.cu"));
        Assert.Contains("Prem.Llm.Cuda.Kernels.nope.cu", e.Message);
    }

    [Fact]
    public void HashIsSha256Hex() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KernelSource.Hash("abc"));
}
