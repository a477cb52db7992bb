using System.Diagnostics;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// <c>cpu-decode-smoke SHAPE WEIGHTS BATCH [STEPS [ROUNDS [CONTEXT]]]</c>: a quick stopwatch check of one decode case while
/// working on the kernels (the figures in the README come from the BenchmarkDotNet suite).
/// </summary>
public static class CpuDecodeSmoke
{
    /// <summary>Runs the check; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        string shape = args.ElementAtOrDefault(0) ?? "110M", weights = args.ElementAtOrDefault(1) ?? "float32";
        int batch = int.Parse(args.ElementAtOrDefault(2) ?? "1"), steps = int.Parse(args.ElementAtOrDefault(3) ?? "16");
        int rounds = int.Parse(args.ElementAtOrDefault(4) ?? "1"); // rounds of the same steps (the same cache positions again): a longer run at one context length
        int context = int.Parse(args.ElementAtOrDefault(5) ?? "32"); // prompt tokens per row, prefilled before the steps
        CacheWarmer.Enabled = Environment.GetEnvironmentVariable("PREM_NO_WARM") != "1"; // A/B of the batched kernels' warming pass
        Prem.Llm.Native.NativeCpuKernels.Enabled = Environment.GetEnvironmentVariable("PREM_NO_NATIVE") != "1"; // A/B of the AVX512-BF16/VNNI kernels
        if (Environment.GetEnvironmentVariable("PREM_PROMPT_GEMM") is { } gemm) PromptGemm.UseFloat32 = gemm == "1"; // A/B of LibTorch's float32 GEMM for prompts
        var sw = Stopwatch.StartNew();
        var engine = CpuShapes.Engine(shape, weights);
        Console.WriteLine($"built {shape}/{weights} in {sw.Elapsed.TotalSeconds:F1} s; {CpuShapes.WeightBytesPerStep(shape, weights) / 1e6:F0} MB per step (engine: {engine.WeightBytesPerToken / 1e6:F0})");
        var cache = engine.CreateCache(batch, context + steps);
        var logits = new float[batch * engine.Config.VocabSize];
        var prompt = Enumerable.Range(0, context).Select(i => 1 + i * 7919 % 31999).ToArray();
        sw.Restart();
        for (int row = 0; row < batch; row++) engine.Prefill(prompt, row, 0, cache, logits.AsSpan(0, engine.Config.VocabSize));
        Console.WriteLine($"prefill {batch}×{context} tokens: {batch * context / sw.Elapsed.TotalSeconds:F1} tok/s");
        var tokens = Enumerable.Range(0, batch).Select(i => 100 + i).ToArray();
        var slots = Enumerable.Range(0, batch).ToArray();
        var positions = new int[batch];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        for (int round = 0; round < rounds; round++)
            for (int s = 0; s < steps; s++)
            {
                Array.Fill(positions, context + s);
                engine.Step(tokens, slots, positions, cache, logits);
            }
        double seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"decode CPU time / wall: {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / seconds:F2} (of {engine.Pool.Workers} workers)");
        Console.WriteLine($"decode: {rounds * steps * batch / seconds:F1} tok/s, {rounds * steps / seconds * CpuShapes.WeightBytesPerStep(shape, weights) / 1e9:F1} GB/s of weights");
        var probe = new ReadBandwidthBenchmarks();
        probe.Setup();
        probe.ReadBandwidth();
        cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        for (int i = 0; i < 3; i++) probe.ReadBandwidth();
        Console.WriteLine($"probe CPU time / wall: {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / sw.Elapsed.TotalSeconds:F2}");
        Console.WriteLine($"read probe: {3 * ReadBandwidthBenchmarks.Bytes / sw.Elapsed.TotalSeconds / 1e9:F1} GB/s");
        return 0;
    }
}
