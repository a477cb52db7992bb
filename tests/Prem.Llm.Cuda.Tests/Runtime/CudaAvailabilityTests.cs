using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Runtime;

public class CudaAvailabilityTests
{
    static bool HasDriver() => File.Exists("/usr/lib/x86_64-linux-gnu/libcuda.so.1") || File.Exists("/usr/lib64/libcuda.so.1");

    [Fact]
    public void ProbeNeverThrowsAndExplainsItself()
    {
        var availability = CudaAvailability.Probe();
        if (availability.IsAvailable)
        {
            Assert.Null(availability.Reason);
            Assert.True(availability.ComputeCapability >= 80);
            Assert.StartsWith("CUDA available: ", availability.ToString());
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(availability.Reason));
            Assert.Equal("CUDA unavailable: " + availability.Reason, availability.ToString());
        }
    }

    [Fact]
    public void WithoutADriverTheReasonSaysSo()
    {
        // CI machines have NVRTC (installed by build/install-nvrtc.sh) but no GPU driver.
        if (HasDriver()) return;
        var availability = CudaAvailability.Probe();
        Assert.False(availability.IsAvailable);
        Assert.Contains("libcuda.so.1", availability.Reason);
        Assert.NotNull(availability.NvrtcVersion);
    }

    [Fact]
    public void OpeningAContextWithoutCudaIsACleanError()
    {
        if (CudaAvailability.Probe().IsAvailable) return;   // covered by the GPU harness on GPU machines
        var e = Assert.Throws<CudaException>(() => CudaContext.Open());
        Assert.StartsWith("CUDA unavailable: ", e.Message);
    }
}
