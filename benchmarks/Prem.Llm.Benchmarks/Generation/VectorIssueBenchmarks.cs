using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// How many 256-bit integer operations one core issues per cycle, beside the int8 panel kernel's inner loop on
/// data in cache: the ceiling that bounds batched int8 decode on AVX2 CPUs (benchmarks/README.md, eleventh pass).
/// Each loop runs <see cref="Iterations"/> times; <see cref="DependentAdds"/> (one cycle per add) gives the clock, so
/// ns ÷ (ns of <see cref="DependentAdds"/> ÷ 4) = cycles per iteration.
/// </summary>
[Config(typeof(Config))]
public unsafe class VectorIssueBenchmarks
{
    /// <summary>Loop iterations per operation.</summary>
    public const int Iterations = 1 << 16;

    byte* _data = null;
    Int8Matrix _matrix = null!;
    float[] _x = [], _y = [];
    Q8Activations _prepared = null!;

    /// <summary>Fills 4 KB of operands and quantises a 64 × 768 int8 matrix (in the L2 cache) and four inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!Avx2.IsSupported) throw new PlatformNotSupportedException("VectorIssueBenchmarks measures AVX2 instructions.");
        _data = (byte*)NativeMemory.AlignedAlloc(4096, 64);
        for (int i = 0; i < 4096; i++) _data[i] = (byte)(i * 37);
        var random = new Random(1);
        var w = new float[64 * 768];
        for (int i = 0; i < w.Length; i++) w[i] = (float)random.NextDouble() - 0.5f;
        _matrix = Int8Matrix.Quantize(64, 768, (r, row) => w.AsSpan(r * 768, 768).CopyTo(row));
        _x = GC.AllocateArray<float>(4 * 768, pinned: true);
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)random.NextDouble() - 0.5f;
        _y = GC.AllocateArray<float>(4 * 64, pinned: true);
        _prepared = new Q8Activations();
        fixed (float* x = _x) _prepared.Quantize(x, 768, 4, 768);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_data);

    /// <summary>Four dependent scalar operations per iteration (one cycle each): the clock.</summary>
    [Benchmark]
    public long DependentAdds()
    {
        long a = 0;
        for (long i = 0; i < Iterations; i++) { a += i; a ^= 3; a += 1; a ^= 5; }
        return a;
    }

    /// <summary>Two 256-bit loads, 8 VPXOR and 8 VPADDD per iteration, all independent.</summary>
    [Benchmark]
    public Vector256<int> XorAdd()
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<int> c0 = Vector256.Create(1), c1 = Vector256.Create(2), c2 = Vector256.Create(3), c3 = Vector256.Create(4);
        for (long i = 0; i < Iterations; i++)
        {
            var v = Vector256.Load((int*)(_data + ((i & 7) << 5)));
            var u = Vector256.Load((int*)(_data + 512 + ((i & 7) << 5)));
            a0 += c0 ^ v; a1 += c1 ^ v; a2 += c2 ^ v; a3 += c3 ^ v;
            a4 += c0 ^ u; a5 += c1 ^ u; a6 += c2 ^ u; a7 += c3 ^ u;
        }
        return a0 ^ a1 ^ a2 ^ a3 ^ a4 ^ a5 ^ a6 ^ a7;
    }

    /// <summary>Two 256-bit loads, 8 VPMADDWD and 8 VPADDD per iteration, all independent.</summary>
    [Benchmark]
    public Vector256<int> MaddAdd()
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<short> c0 = Vector256.Create((short)1), c1 = Vector256.Create((short)2), c2 = Vector256.Create((short)3), c3 = Vector256.Create((short)4);
        for (long i = 0; i < Iterations; i++)
        {
            var v = Vector256.Load((short*)(_data + ((i & 7) << 5)));
            var u = Vector256.Load((short*)(_data + 512 + ((i & 7) << 5)));
            a0 += Avx2.MultiplyAddAdjacent(v, c0); a1 += Avx2.MultiplyAddAdjacent(v, c1);
            a2 += Avx2.MultiplyAddAdjacent(v, c2); a3 += Avx2.MultiplyAddAdjacent(v, c3);
            a4 += Avx2.MultiplyAddAdjacent(u, c0); a5 += Avx2.MultiplyAddAdjacent(u, c1);
            a6 += Avx2.MultiplyAddAdjacent(u, c2); a7 += Avx2.MultiplyAddAdjacent(u, c3);
        }
        return a0 ^ a1 ^ a2 ^ a3 ^ a4 ^ a5 ^ a6 ^ a7;
    }

    /// <summary>
    /// The engine's int8 kernel, four tokens × 64 rows × 768 columns (768 iterations of its four-token inner loop, 256
    /// multiply-adds each), repeated to about <see cref="Iterations"/> inner iterations.
    /// </summary>
    [Benchmark]
    public float PanelKernelFourTokens()
    {
        fixed (float* x = _x, y = _y)
            for (int i = 0; i < Iterations / 768; i++)
                _matrix.Multiply(x, 768, 4, y, 64, 0, 64, _prepared);
        return _y[0];
    }

    sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("vector-issue"));
    }
}
