using System.Diagnostics;
using System.Globalization;
using Prem.Llm.Adapters;
using Prem.Llm.Benchmarks.Generation;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Training;

/// <summary>
/// Not a BenchmarkDotNet benchmark (BenchmarkDotNet reports no resident memory): peak RSS and step time of
/// full fine-tuning against LoRA r 16 (all seven projections) at the 110M shape (llama2.c's stories110M,
/// random weights built at run time), one fresh child process per configuration so nothing else the
/// process did counts. Peak RSS is the child's <c>VmHWM</c> (<c>/proc/self/status</c>) at the end, which
/// includes LibTorch's and .NET's own pages (the same for every configuration); step time is the mean of
/// the steps after the first. Run: <c>dotnet run -c Release -- lora-rss [steps] [threads] [rows]</c>.
/// </summary>
public static class LoraRssCheck
{
    static readonly string[] _cases = ["full:Float32", "full:Bf16Mixed", "lora:Float32", "lora:Bf16Mixed", "lora:Bf16"];

    public static int Run(string[] args)
    {
        string steps = args.Length > 0 ? args[0] : "4", threads = args.Length > 1 ? args[1] : "1", rows = args.Length > 2 ? args[2] : "2";
        Console.WriteLine($"110M shape, batch {rows} × 256 tokens, {threads} thread(s), {steps} steps per case (the first not timed)");
        Console.WriteLine("| case | trainable parameters | peak RSS (VmHWM) | step |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var c in _cases)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(LoraRssCheck).Assembly.Location);
            foreach (var a in new[] { "lora-rss-child", c, steps, threads, rows }) start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            string output = child.StandardOutput.ReadToEnd().Trim();
            child.WaitForExit();
            if (child.ExitCode != 0) { Console.WriteLine($"| {c} | failed ({child.ExitCode}) | | |"); continue; }
            var parts = output.Split(' ');
            long trainable = long.Parse(parts[0], CultureInfo.InvariantCulture), hwm = long.Parse(parts[1], CultureInfo.InvariantCulture);
            double step = double.Parse(parts[2], CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c} | {trainable / 1e6:F2} M | {hwm / 1048576.0:F0} MiB | {step * 1000:F0} ms |"));
        }
        return 0;
    }

    /// <summary>The child: prints "trainableParameters vmHwmBytes meanStepSeconds" for one case.</summary>
    public static int Child(string[] args)
    {
        string[] which = args[0].Split(':');
        bool lora = which[0] == "lora";
        var precision = Enum.Parse<TrainingPrecision>(which[1]);
        int steps = int.Parse(args[1], CultureInfo.InvariantCulture), rows = int.Parse(args[3], CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(args[2], CultureInfo.InvariantCulture));
        // Pure bf16 is LoRA's low-memory setting: the frozen base in bf16, the adapters float32.
        var dtype = precision == TrainingPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        using var model = new LlamaForCausalLM(CpuShapes.Config("110M"), dtype: dtype, seed: 1);
        using var adapters = lora ? LoraModel.Apply(model, new LoraConfig { R = 16, Alpha = 32, TargetModules = LoraConfig.AllLinear }) : null;
        var ids = randint(0, 32000, [rows, 256], dtype: ScalarType.Int64, generator: new Generator(1));
        var batch = new CausalLmBatch(ids, labels: ids.clone());
        var options = new TrainerOptions
        {
            Precision = new() { Mode = precision }, Schedule = new() { MaxSteps = 1_000_000 }, AccumulationSteps = 1,
            Checkpoint = new() { ExportFinalModel = false },
        };
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource([() => batch]), options);
        trainer.RunStep([batch]);
        var clock = Stopwatch.StartNew();
        for (int i = 1; i < steps; i++) trainer.RunStep([batch]);
        double mean = clock.Elapsed.TotalSeconds / Math.Max(1, steps - 1);
        long trainable = trainer.Optimizer.Parameters.Sum(p => p.Param.numel());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{trainable} {VmHwm()} {mean}"));
        return 0;
    }

    static long VmHwm()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
