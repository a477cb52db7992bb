using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Native;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// The int8 panel kernel's AVX2 blocks against its AVX-VNNI ones (<see cref="Int8PanelVnni"/>) in one run: eight tokens
/// times a 64 × 768 matrix that stays in cache, one thread. Runs only on CPUs with AVX-VNNI (elsewhere the VNNI blocks are
/// an emulation; <see cref="VectorIssueBenchmarks.PanelKernelFourTokens"/> measures the AVX2 blocks on any AVX2 CPU).
/// <c>--filter '*Int8BlockBenchmarks*'</c>, about a minute.
/// </summary>
[Config(typeof(Config))]
public unsafe class Int8BlockBenchmarks
{
    const int Rows = 64, Cols = 768, Tokens = 8, Repeats = 64;

    Int8Matrix _matrix = null!;
    float[] _x = [], _y = [];
    Q8Activations _prepared = null!;
    bool _saved;

    /// <summary>Quantises the matrix and eight inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!AvxVnni.IsSupported)
            throw new PlatformNotSupportedException("Int8BlockBenchmarks compares AVX2 with AVX-VNNI; this CPU has no AVX-VNNI.");
        var random = new Random(1);
        var w = new float[Rows * Cols];
        for (int i = 0; i < w.Length; i++) w[i] = (float)random.NextDouble() - 0.5f;
        bool native = NativeCpuKernels.Enabled;
        NativeCpuKernels.Enabled = false; // the managed blocks, also where the native AVX512-VNNI kernel could run
        _matrix = Int8Matrix.Quantize(Rows, Cols, (r, row) => w.AsSpan(r * Cols, Cols).CopyTo(row), panels: true);
        NativeCpuKernels.Enabled = native;
        _x = GC.AllocateArray<float>(Tokens * Cols, pinned: true);
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)random.NextDouble() - 0.5f;
        _y = GC.AllocateArray<float>(Tokens * Rows, pinned: true);
        _prepared = new Q8Activations();
        fixed (float* x = _x) _prepared.Quantize(x, Cols, Tokens, Cols);
        _saved = Int8PanelKernel.UseAvxVnni;
    }

    /// <summary>Puts the kernel switch back.</summary>
    [GlobalCleanup]
    public void Cleanup() => Int8PanelKernel.UseAvxVnni = _saved;

    /// <summary>VPSIGNB, VPMADDUBSW, VPMADDWD and VPADDD per token and half-panel.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Repeats)]
    public float Avx2() => Run(vnni: false);

    /// <summary>One VPDPBUSD per token and half-panel.</summary>
    [Benchmark(OperationsPerInvoke = Repeats)]
    public float AvxVnniBlocks() => Run(vnni: true);

    float Run(bool vnni)
    {
        Int8PanelKernel.UseAvxVnni = vnni;
        fixed (float* x = _x, y = _y)
            for (int i = 0; i < Repeats; i++)
                _matrix.Multiply(x, Cols, Tokens, y, Rows, 0, Rows, _prepared);
        return _y[0];
    }

    sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("int8-blocks"));
    }
}
