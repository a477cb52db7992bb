using Prem.Llm.Training;
using TorchSharp;

namespace Prem.Llm.Tests.Training;

public class PrecisionOptionsTests
{
    [SkippableFact]
    public void Bf16_is_native_on_CUDA_and_on_CPUs_the_kernel_reports_with_avx512_bf16()
    {
        Assert.True(PrecisionOptions.HasNativeBf16(new torch.Device(DeviceType.CUDA)));
        Assert.Equal(TrainingPrecision.Bf16Mixed, new PrecisionOptions().Mode); // the Prem-1B recipe's
        // The independent reference: the flags Linux reads from CPUID.
        Skip.IfNot(File.Exists("/proc/cpuinfo"), "no /proc/cpuinfo on this OS");
        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        bool avx512Bf16 = flags.Split(' ').Contains("avx512_bf16");
        Assert.Equal(avx512Bf16, PrecisionOptions.HasNativeBf16(torch.CPU));
    }
}
