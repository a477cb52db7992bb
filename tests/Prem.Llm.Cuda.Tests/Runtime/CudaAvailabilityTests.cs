using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Runtime;

public class CudaAvailabilityTests : IClassFixture<ToolReport>
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

    [SkippableFact]
    public void WithoutADriverTheReasonSaysSo()
    {
        // CI machines have NVRTC (installed by build/install-nvrtc.sh) but no GPU driver.
        ToolRequirement.Nvrtc();
        Skip.If(HasDriver(), "this machine has a CUDA driver (libcuda.so.1); the test is for machines without one");
        var availability = CudaAvailability.Probe();
        Assert.False(availability.IsAvailable);
        Assert.Contains("libcuda.so.1", availability.Reason);
        Assert.NotNull(availability.NvrtcVersion);
    }

    [SkippableFact]
    public void OpeningAContextWithoutCudaIsACleanError()
    {
        Skip.If(CudaAvailability.Probe().IsAvailable, "CUDA is available here; the GPU harness covers opening a context");
        var e = Assert.Throws<CudaException>(() => CudaContext.Open());
        Assert.StartsWith("CUDA unavailable: ", e.Message);
    }
}
