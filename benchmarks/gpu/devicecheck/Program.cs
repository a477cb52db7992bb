using System.Text.Json;
using Prem.Llm.Attention;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Devices;
using Prem.Llm.DeviceCheck;
using TorchSharp;
using static TorchSharp.torch;

// Usage: Prem.Llm.DeviceCheck [--torch-lib DIR] [--write-reference FILE] [--reference FILE] [--out FILE]
//                             [--steps N] [--expect-cuda] [--skip-big] [--peak-tflops T]
var opts = new Dictionary<string, string>();
for (int i = 0; i < args.Length; i++)
    opts[args[i].TrimStart('-')] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
string Opt(string name, string fallback) => opts.GetValueOrDefault(name, fallback);
int steps = int.Parse(Opt("steps", "30"));
var report = new Report();
bool cuda = false;

report.Check("load-libtorch", () =>
{
    string loaded = opts.TryGetValue("torch-lib", out var dir) ? LibTorchLocation.Use(dir, "--torch-lib") : "LibTorch beside the app";
    cuda = ComputeDevice.CudaDeviceCount() > 0;
    using var x = ones(2, 2);
    return new() { ["loaded"] = loaded, ["torchsharp_libtorch"] = __version__, ["cuda_devices"] = ComputeDevice.CudaDeviceCount(), ["cpu_sum"] = x.sum().item<float>() };
});

if (opts.TryGetValue("write-reference", out var referenceOut))
    report.Check("cpu-reference", () =>
    {
        var trajectories = new Dictionary<string, List<double>>
        {
            ["eager"] = TinyRun.Train(ComputeDevice.Cpu, new EagerAttention(), steps),
            ["sdpa"] = TinyRun.Train(ComputeDevice.Cpu, new AutoSdpaAttention(), steps),
        };
        File.WriteAllText(referenceOut, JsonSerializer.Serialize(trajectories));
        return new() { ["eager"] = trajectories["eager"], ["sdpa"] = trajectories["sdpa"], ["ok"] = trajectories.Values.All(t => t[^1] < t[0] - 0.5) };
    });

if (!cuda)
{
    report.Check("cuda", () => new() { ["ok"] = !opts.ContainsKey("expect-cuda"), ["note"] = "LibTorch sees no CUDA device: the CUDA checks did not run" });
}
else
{
    var device = new Device(DeviceType.CUDA, 0);
    report.Check("cuda-basics", () =>
    {
        using var scope = NewDisposeScope();
        var a = randn(1024, 1024).to(ScalarType.BFloat16).to(device);
        var c = a.matmul(a.t()).to(ScalarType.Float32);
        ComputeDevice.Synchronize(device);
        var expected = a.cpu().to(ScalarType.Float32).matmul(a.cpu().to(ScalarType.Float32).t());
        double err = c.cpu().sub(expected).norm().item<float>() / expected.norm().item<float>();
        return new() { ["ok"] = err < 1e-2, ["matmul_rel_l2"] = Math.Round(err, 5), ["gpu_used_gib"] = GpuMemory.Of(device)?.UsedGiB };
    });
    report.Check("flash-kernel-causal", () => KernelCheck.Run(device, packed: false));
    report.Check("flash-kernel-packed", () => KernelCheck.Run(device, packed: true));
    var reference = opts.TryGetValue("reference", out var refPath) && File.Exists(refPath)
        ? JsonSerializer.Deserialize<Dictionary<string, List<double>>>(File.ReadAllText(refPath)) : null;
    foreach (var (name, backend) in new (string, Func<IAttentionBackend>)[]
             { ("eager", () => new EagerAttention()), ("sdpa", () => new AutoSdpaAttention()), ("flash", () => new FlashAttentionBackend(fallback: new SdpaAttention())) })
        report.Check($"train-cuda-{name}", () =>
        {
            var losses = TinyRun.Train(device, backend(), steps);
            var row = new Dictionary<string, object?> { ["losses"] = losses };
            bool learns = losses[^1] < losses[0] - 0.5;
            if (reference?.GetValueOrDefault(name == "eager" ? "eager" : "sdpa") is { } cpu)
            {
                var diffs = losses.Zip(cpu, (x, y) => Math.Abs(x - y)).ToList();
                row["cpu_losses"] = cpu;
                row["mean_abs_diff"] = Math.Round(diffs.Average(), 5);
                row["max_abs_diff"] = Math.Round(diffs.Max(), 5);
                // bf16-mixed on two devices: same math, different summation orders; the gap grows slowly with the steps.
                row["ok"] = learns && diffs.Average() <= 0.05 && diffs.Max() <= 0.15;
            }
            else row["ok"] = learns;
            return row;
        });
    if (!opts.ContainsKey("skip-big"))
    {
        double peak = double.Parse(Opt("peak-tflops", "989"));
        report.Check("step-1.1b-seq2048", () => BigStep.Run(device, 2048, 8, 3, peak));
        report.Check("step-1.1b-seq8192", () => BigStep.Run(device, 8192, 2, 3, peak));
    }
}
report.Write(Opt("out", "devicecheck.json"));
Console.WriteLine($"devicecheck: {report.Failures} check(s) failed");
return report.Failures;
