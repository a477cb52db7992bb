using System.Diagnostics;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Training;

/// <summary>
/// Not a BenchmarkDotNet benchmark: times the phases of tiny-20M training steps (forward + loss,
/// backward, clip + AdamW) to show where a step's time goes.
/// Run: <c>dotnet run -c Release -- train-profile [steps] [precision]</c>.
/// </summary>
public static class TrainingStepProfile
{
    public static int Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var precision = args.Length > 1 ? Enum.Parse<TrainingPrecision>(args[1], ignoreCase: true) : TrainingPrecision.Float32;
        int threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        int chunk = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : LinearCrossEntropy.DefaultChunkRows;
        set_num_threads(threads);
        // Process CPU time, unlike wall time, barely moves when other processes share the cores.
        var process = Process.GetCurrentProcess();
        double Cpu() { process.Refresh(); return process.TotalProcessorTime.TotalMilliseconds; }
        var gemmDtype = precision == TrainingPrecision.Float32 ? ScalarType.Float32 : ScalarType.BFloat16;
        using (var a = randn(1024, 1024).to_type(gemmDtype))
        using (var b = randn(1024, 1024).to_type(gemmDtype))
        {
            for (int i = 0; i < 3; i++) a.matmul(b).Dispose();
            double c0 = Cpu();
            double gemmCpu = double.MaxValue;
            for (int i = 0; i < 10; i++)
            {
                c0 = Cpu();
                a.matmul(b).Dispose();
                gemmCpu = Math.Min(gemmCpu, Cpu() - c0);
            }
            Console.WriteLine($"GEMM 1024^3 {gemmDtype}: {gemmCpu:F1} CPU-ms = {2.0 * 1024 * 1024 * 1024 / gemmCpu / 1e6:F1} GFLOP per CPU-second");
        }
        using var model = new LlamaForCausalLM(TrainingStepBenchmarks.Tiny20M, dtype: ScalarType.Float32, seed: 1);
        using var mp = new MixedPrecision(model, precision);
        using var adam = ParameterGroups.CreateOptimizer(model, new OptimizerOptions());
        mp.AttachOptimizer(adam);
        var objective = new CausalLmObjective(chunk);
        double cpuTotal = 0, cpuMin = double.MaxValue;
        double fwd = 0, bwd = 0, opt = 0;
        for (int i = 0; i < steps + 1; i++)
        {
            using var scope = NewDisposeScope();
            var ids = randint(0, 32000, [4, 256], dtype: ScalarType.Int64, generator: new Generator((ulong)i));
            using var batch = new CausalLmBatch(ids, labels: ids.clone());
            double cpuStart = Cpu();
            var clock = Stopwatch.StartNew();
            var result = objective.Compute(mp.Working, batch, 1024);
            double t1 = clock.Elapsed.TotalMilliseconds;
            result.Loss.backward();
            double tb = Cpu();
            mp.PullGradients();
            double tp = Cpu();
            double t2 = clock.Elapsed.TotalMilliseconds;
            double norm = GradientClipping.GlobalNorm(adam.Parameters.Select(p => p.Param.grad).OfType<Tensor>());
            double tc = Cpu();
            adam.Step(4e-4, GradientClipping.Coefficient(norm, 1.0));
            adam.ZeroGrad();
            double ta = Cpu();
            double t3 = clock.Elapsed.TotalMilliseconds;
            if (i > 0) Console.WriteLine($"  CPU-ms: pull {tp - tb:F0}, norm {tc - tp:F0}, adamw + bf16 copy {ta - tc:F0}");
            if (i == 0) continue;
            cpuTotal += Cpu() - cpuStart;
            cpuMin = Math.Min(cpuMin, Cpu() - cpuStart);
            fwd += t1; bwd += t2 - t1; opt += t3 - t2;
            Console.WriteLine($"step {i}: loss {result.Loss.item<float>():F4}  fwd+loss {t1:F0} ms  bwd {t2 - t1:F0} ms  clip+adamw {t3 - t2:F0} ms  total {t3:F0} ms");
        }
        double total = (fwd + bwd + opt) / steps;
        using (var scope = NewDisposeScope())
        {
            // Where the forward goes: the decoder stack alone, then the fused head + loss on its output.
            var ids = randint(0, 32000, [4, 256], dtype: ScalarType.Int64, generator: new Generator(99));
            double body = double.MaxValue, head = double.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                double c0 = Cpu();
                var hidden = mp.Working.Model.Forward(ids).detach().requires_grad_(true);
                double c1 = Cpu();
                var (l, _) = LinearCrossEntropy.Compute(hidden.reshape(-1, 256), mp.Working.HeadWeight, ids.reshape(-1), 1.0 / 1024, chunk);
                double c2 = Cpu();
                body = Math.Min(body, c1 - c0); head = Math.Min(head, c2 - c1);
            }
            Console.WriteLine($"decoder forward {body:F0} CPU-ms, fused head+loss (fwd+bwd) {head:F0} CPU-ms");
        }
        Console.WriteLine($"fastest step {cpuMin:F0} CPU-ms = {TrainingStepBenchmarks.StepFlops / cpuMin / 1e6:F1} model GFLOP per CPU-second");
        Console.WriteLine($"step CPU time {cpuTotal / steps:F0} CPU-ms = {TrainingStepBenchmarks.StepFlops / (cpuTotal / steps) / 1e6:F1} model GFLOP per CPU-second (threads {threads}, chunk {chunk})");
        Console.WriteLine($"{precision}: mean fwd+loss {fwd / steps:F0} ms, bwd {bwd / steps:F0} ms, clip+adamw {opt / steps:F0} ms, step {total:F0} ms = {1024 / total * 1000:F0} tokens/s, {TrainingStepBenchmarks.StepFlops / total / 1e6:F1} GFLOP/s");
        return 0;
    }
}
