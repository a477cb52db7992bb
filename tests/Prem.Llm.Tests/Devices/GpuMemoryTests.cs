using Prem.Llm.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Devices;

public class GpuMemoryTests
{
    [Fact]
    public void The_cpu_has_no_gpu_memory()
    {
        Assert.Null(GpuMemory.Of(new Device(DeviceType.CPU)));
    }

    [Fact]
    public void Used_memory_reads_in_gib()
    {
        Assert.Equal(1.5, new GpuMemory(3L << 29, 80L << 30).UsedGiB);
    }
}
