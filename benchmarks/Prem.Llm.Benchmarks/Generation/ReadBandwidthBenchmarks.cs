using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// A STREAM-like read probe: sums a 1 GiB array on the engine's worker pool, 1 MiB chunks, 512-bit loads
/// (256-bit without AVX-512). Its GB/s is the denominator of the decode benchmarks' "BW ratio".
/// </summary>
[Config(typeof(CpuInferenceConfig))]
public class ReadBandwidthBenchmarks
{
    /// <summary>Bytes read per operation.</summary>
    public const long Bytes = 1L << 30;

    SumJob _job = null!;

    /// <summary>Allocates and touches the array.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var data = GC.AllocateArray<float>((int)(Bytes / sizeof(float)), pinned: true);
        data.AsSpan().Fill(1f);
        _job = new SumJob(data, WorkerPool.Shared.Workers);
    }

    /// <summary>Reads the whole array once.</summary>
    [Benchmark]
    public float ReadBandwidth()
    {
        WorkerPool.Shared.Run(_job, _job.Chunks);
        return _job.Total;
    }

    sealed unsafe class SumJob(float[] data, int workers) : IPoolJob
    {
        const int ChunkFloats = 1 << 18; // 1 MiB
        readonly float[] _partial = new float[workers * 16];

        public int Chunks => data.Length / ChunkFloats;

        public float Total => _partial.Sum();

        public void Execute(int chunk, int worker)
        {
            float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(data)) + (long)chunk * ChunkFloats;
            Vector512<float> a = default, b = default, c = default, d = default;
            for (int i = 0; i < ChunkFloats; i += 64)
            {
                a += Vector512.Load(p + i);
                b += Vector512.Load(p + i + 16);
                c += Vector512.Load(p + i + 32);
                d += Vector512.Load(p + i + 48);
            }
            _partial[worker * 16] += Vector512.Sum(a + b + c + d);
        }
    }
}
