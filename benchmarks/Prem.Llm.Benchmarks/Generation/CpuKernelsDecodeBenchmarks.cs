using BenchmarkDotNet.Attributes;
using Prem.Llm.Native;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// Decode (B = 1 and 8) with the native AVX512-BF16/VNNI kernels and with the managed ones, in the same run:
/// the A/B behind the native library (<see cref="NativeCpuKernels"/>). The same steps as <see cref="CpuDecodeBenchmarks"/>.
/// </summary>
[Config(typeof(CpuInferenceConfig))]
public class CpuKernelsDecodeBenchmarks
{
    readonly CpuDecodeBenchmarks _decode = new();
    bool _saved;

    [Params("42M", "110M")] public string Shape = "110M";

    [Params("bfloat16", "int8", "bf16-copy")] public string Weights = "bfloat16";

    [Params(1, 8)] public int Batch = 8;

    [Params("native", "managed")] public string Kernels = "native";

    [GlobalSetup]
    public void Setup()
    {
        var kernel = Weights == "int8" ? NativeCpuKernels.Int8 : NativeCpuKernels.Bf16;
        if (Kernels == "native" && !kernel.Available) throw new InvalidOperationException($"No native {kernel.Name} kernel here: {kernel.Missing}");
        _saved = NativeCpuKernels.Enabled;
        NativeCpuKernels.Enabled = Kernels == "native";
        (_decode.Shape, _decode.Weights, _decode.Batch) = (Shape, Weights, Batch);
        _decode.Setup();
    }

    [GlobalCleanup]
    public void Cleanup() => NativeCpuKernels.Enabled = _saved;

    /// <summary><see cref="CpuDecodeBenchmarks.StepsPerOp"/> steps of <see cref="Batch"/> sequences.</summary>
    [Benchmark]
    public float KernelsDecode() => _decode.Decode();
}
