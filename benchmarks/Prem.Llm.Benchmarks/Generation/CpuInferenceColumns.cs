using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// Derived columns from the same (joined) run, all from medians of the iterations (this shared VM's memory
/// bandwidth swings up to 2× between iterations: the probe's best iteration read 1 GiB at 48 GB/s in a run
/// whose median was 25 GB/s, so one-iteration outliers must not set a ratio): read GB/s of the probe, tok/s
/// of decode and prefill, "BW ratio" = weight bytes read per second ÷ probe bandwidth, "GEMM ratio" =
/// prefill model FLOP/s ÷ the 1024³ GEMM's FLOP/s of the same weight format; "B8÷B1" = the batching gain
/// timed in pairs (<see cref="BatchGainBenchmarks"/>).
/// </summary>
public static class CpuInferenceColumns
{
    /// <summary>Every derived column.</summary>
    public static IColumn[] All =>
    [
        new Derived("GB/s", (s, b) => Method(b) == "ReadBandwidth" ? ReadBandwidthBenchmarks.Bytes / Median(s, b) : double.NaN),
        new Derived("weight MB/step", (s, b) => Method(b) switch
        {
            "Decode" => CpuShapes.WeightBytesPerStep((string)b.Parameters["Shape"], (string)b.Parameters["Weights"]) / 1e6,
            "TorchSharpDecode" => CpuShapes.WeightBytesPerStep("110M", (string)b.Parameters["Weights"]) / 1e6,
            _ => double.NaN,
        }),
        new Derived("tok/s", (s, b) => Method(b) switch
        {
            "Decode" => CpuDecodeBenchmarks.StepsPerOp * (int)b.Parameters["Batch"] / Median(s, b) * 1e9,
            "KernelsDecode" => CpuDecodeBenchmarks.StepsPerOp * (int)b.Parameters["Batch"] / Median(s, b) * 1e9,
            "TorchSharpDecode" => CpuDecodeBenchmarks.StepsPerOp / Median(s, b) * 1e9,
            "Prefill" => CpuPrefillBenchmarks.Tokens / Median(s, b) * 1e9,
            _ => double.NaN,
        }),
        new Derived("BW ratio", (s, b) =>
        {
            if (Method(b) is not ("Decode" or "TorchSharpDecode")) return double.NaN;
            var probe = s.BenchmarksCases.FirstOrDefault(c => Method(c) == "ReadBandwidth");
            if (probe is null) return double.NaN;
            string shape = Method(b) == "Decode" ? (string)b.Parameters["Shape"] : "110M";
            double bytesPerSecond = CpuDecodeBenchmarks.StepsPerOp * CpuShapes.WeightBytesPerStep(shape, (string)b.Parameters["Weights"]) / Median(s, b);
            return bytesPerSecond / (ReadBandwidthBenchmarks.Bytes / Median(s, probe));
        }),
        new Derived("B8÷B1", (s, b) => Method(b) == "PairedDecode"
            ? BatchGainBenchmarks.MedianGain((string)b.Parameters["Shape"], (string)b.Parameters["Weights"])
            : double.NaN),
        new Derived("GEMM ratio", (s, b) =>
        {
            if (Method(b) != "Prefill") return double.NaN;
            var gemm = s.BenchmarksCases.FirstOrDefault(c => Method(c) == "Gemm1024" && Equals(c.Parameters["Weights"], b.Parameters["Weights"]));
            if (gemm is null) return double.NaN;
            return CpuShapes.PrefillFlops("110M", CpuPrefillBenchmarks.Tokens) / Median(s, b) / (2.0 * 1024 * 1024 * 1024 / Median(s, gemm));
        }),
    ];

    static string Method(BenchmarkCase b) => b.Descriptor.WorkloadMethod.Name;

    static double Median(Summary s, BenchmarkCase b) => s[b]?.ResultStatistics?.Median ?? double.NaN;

    sealed class Derived(string name, Func<Summary, BenchmarkCase, double> value) : IColumn
    {
        public string Id => "cpu-inference-" + name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => name switch
        {
            "GB/s" => "Read bandwidth of the probe (median iteration)",
            "tok/s" => "Tokens per second (all rows; median iteration)",
            "weight MB/step" => "Weight bytes one decode step reads",
            "BW ratio" => "Weight bytes read per second ÷ probe read bandwidth (medians, same run)",
            "B8÷B1" => "Aggregate tok/s at B = 8 ÷ tok/s at B = 1, timed in back-to-back pairs (median pair)",
            _ => "Prefill model FLOP/s ÷ 1024³ GEMM FLOP/s of the same dtype (same run)",
        };
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => Format(value(summary, benchmarkCase));
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, BenchmarkDotNet.Reports.SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;

        static string Format(double v) => double.IsNaN(v) ? "-" : v >= 100 ? v.ToString("F0") : v.ToString("F2");
    }
}
