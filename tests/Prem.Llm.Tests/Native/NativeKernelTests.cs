using Prem.Llm.Native;

namespace Prem.Llm.Tests.Native;

public class NativeKernelTests
{
    [Fact]
    public void Availability_is_explained_when_missing()
    {
        // Each kernel either runs here, or the reason names what is missing: its CPU extension first, then the library.
        foreach (var (kernel, extension) in new[] { (NativeCpuKernels.Bf16, "AVX512-BF16"), (NativeCpuKernels.Int8, "AVX512-VNNI") })
        {
            if (kernel.Available) Assert.Null(kernel.Missing);
            else if (kernel.CpuSupported) Assert.Equal(NativeCpuKernels.LibraryMissing, kernel.Missing);
            else Assert.Matches($"AVX-512BW|{extension}", kernel.Missing!);
            if (OperatingSystem.IsLinux()) Assert.Equal(kernel.CpuSupported, Has(extension));
        }
        Assert.Equal(NativeCpuKernels.LibraryMissing is null, System.IO.File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, "libprem_cpu_kernels.so")));
    }

    // The extension as Linux reports it (the flags line of /proc/cpuinfo), an independent reading of CPUID.
    static bool Has(string extension)
    {
        string flag = extension.ToLowerInvariant().Replace('-', '_'); // avx512_bf16, avx512_vnni
        var flags = (System.IO.File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "")
            .Split(' ', ':', '\t');
        return flags.Contains(flag) && flags.Contains("avx512bw");
    }
}
