using System.Collections.Concurrent;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Mathematics;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// Batching gain measured in pairs: each operation times <see cref="CpuDecodeBenchmarks.StepsPerOp"/> steps of one
/// sequence and as many steps of 8 sequences on the same engine, back to back (in alternating order), so a swing of
/// the machine's memory bandwidth (24–43 GB/s within minutes on the 2-vCPU VM) reaches both sides of a pair. The
/// "B8÷B1" column is the median over the measured operations of 8 × t(B = 1) ÷ t(B = 8): aggregate tok/s at B = 8
/// over tok/s at B = 1. Separate <see cref="CpuDecodeBenchmarks"/> runs time the two sides minutes apart.
/// </summary>
[Config(typeof(CpuInferenceConfig))]
public class BatchGainBenchmarks
{
    static readonly ConcurrentDictionary<string, List<double>> _gains = new();
    readonly CpuDecodeBenchmarks _one = new() { Batch = 1 }, _eight = new() { Batch = 8 };
    List<double> _mine = null!;
    int _pairs;

    /// <summary>Model shape.</summary>
    [Params("42M", "110M", "1.1B")] public string Shape = "110M";

    /// <summary>Weight format.</summary>
    [Params("float32", "bfloat16", "int8", "bf16-copy")] public string Weights = "float32";

    /// <summary>Builds (or reuses) the engine and both caches.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_one.Shape, _one.Weights, _eight.Shape, _eight.Weights) = (Shape, Weights, Shape, Weights);
        _one.Setup();
        _eight.Setup();
        _mine = _gains.GetOrAdd(Key(Shape, Weights), _ => []);
        _mine.Clear();
        _pairs = 0;
    }

    /// <summary>One pair: the steps at B = 1 and at B = 8.</summary>
    [Benchmark]
    public float PairedDecode()
    {
        bool oneFirst = _pairs++ % 2 == 0;
        double one = 0, eight = 0;
        float sink = 0;
        for (int side = 0; side < 2; side++)
        {
            long start = Stopwatch.GetTimestamp();
            bool isOne = (side == 0) == oneFirst;
            sink += isOne ? _one.Decode() : _eight.Decode();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (isOne) one = seconds;
            else eight = seconds;
        }
        if (_pairs > 1) _mine.Add(8 * one / eight); // the first pair is BenchmarkDotNet's warm-up
        return sink;
    }

    /// <summary>Median gain of the pairs measured for a case (NaN before any).</summary>
    public static double MedianGain(string shape, string weights)
    {
        if (!_gains.TryGetValue(Key(shape, weights), out var gains) || gains.Count == 0) return double.NaN;
        return new Statistics(gains).Median;
    }

    static string Key(string shape, string weights) => shape + "/" + weights;
}
