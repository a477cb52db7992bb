using Prem.Llm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Numerics;

public class CpuKernelsTests
{
    [Theory]
    [InlineData(DeviceType.CPU, ScalarType.Float32, true, true)]
    [InlineData(DeviceType.CPU, ScalarType.BFloat16, true, true)]
    [InlineData(DeviceType.CUDA, ScalarType.Float32, true, false)]
    [InlineData(DeviceType.CUDA, ScalarType.BFloat16, true, false)]
    [InlineData(DeviceType.META, ScalarType.Float32, true, false)]
    [InlineData(DeviceType.CPU, ScalarType.Float32, false, false)]
    [InlineData(DeviceType.CPU, ScalarType.Float16, true, false)]
    [InlineData(DeviceType.CPU, ScalarType.Float64, true, false)]
    public void A_cpu_kernel_applies_only_to_contiguous_cpu_tensors_of_its_dtypes(DeviceType device, ScalarType dtype, bool contiguous, bool applies)
    {
        Assert.Equal(applies, CpuKernels.Apply(device, dtype, contiguous, ScalarType.Float32, ScalarType.BFloat16));
    }

    [Fact]
    public void Real_tensors_follow_the_rule()
    {
        using var x = zeros(4, 6);
        Assert.True(CpuKernels.Apply(x, ScalarType.Float32));
        Assert.False(CpuKernels.Apply(x, ScalarType.BFloat16));
        using var t = x.t();
        Assert.False(CpuKernels.Apply(t, ScalarType.Float32));
        // The meta device stands in for CUDA: a tensor that is not host memory.
        using var meta = empty([4, 6], device: new Device(DeviceType.META));
        Assert.False(CpuKernels.Apply(meta, ScalarType.Float32));
    }
}
