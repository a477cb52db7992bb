using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Harness;
using Prem.Llm.Cuda.Reference;
using Prem.Llm.Cuda.Runtime;

// Runs our runtime layer and kernels on random inputs at small sizes and compares forward and backward
// with the CPU reference (fed the same 16-bit-rounded inputs). Exit code 0 = all cases pass,
// 1 = a case failed, 2 = CUDA unavailable. With --compile-only it only compiles the kernels with NVRTC
// for sm_80 and sm_90a and prints ptxas's registers/spills (works without a GPU).
if (args.Contains("--compile-only"))
{
    foreach (var arch in new[] { "sm_80", "sm_90a" })
    {
        var program = NvrtcCompiler.Compile(KernelSource.FlashAttention, "flash_attention.cu", arch);
        Console.WriteLine($"NVRTC {NvrtcCompiler.Version()} {arch}: {program.Cubin.Length} bytes of cubin");
        foreach (var usage in KernelResourceUsage.Parse(program.Log).Values.OrderBy(u => u.Kernel, StringComparer.Ordinal))
            Console.WriteLine("  " + usage);
    }
    return 0;
}

var availability = CudaAvailability.Probe();
Console.WriteLine(availability);
if (!availability.IsAvailable) return 2;

using var context = CudaContext.Open();
var cacheFolder = Path.Combine(Path.GetTempPath(), "prem-harness-cache");
var compileClock = System.Diagnostics.Stopwatch.StartNew();
using var flash = FlashAttention.Load(context, new KernelCache(cacheFolder));
Console.WriteLine($"kernels for {context.Architecture} compiled and loaded in {compileClock.ElapsedMilliseconds} ms");
foreach (var name in new[] { "flash_fwd_bf16_hd64", "flash_fwd_bf16_hd128", "flash_bwd_bf16_hd64", "flash_bwd_bf16_hd128" })
{
    var (registers, local) = flash.Module.GetKernel(name).Resources;
    Console.WriteLine($"  {name}: {registers} registers, {local} B local (spill) per thread");
}

var failures = 0;
var cases = new (string Lengths, bool Causal, int Hq, int Hkv, int D, FlashAttentionDtype Dtype, bool Packed)[]
{
    ("128", true, 4, 4, 64, FlashAttentionDtype.BFloat16, false),
    ("100,100", false, 8, 2, 64, FlashAttentionDtype.BFloat16, false),
    ("200", true, 8, 1, 128, FlashAttentionDtype.BFloat16, false),
    ("77,77", true, 4, 1, 128, FlashAttentionDtype.Float16, false),
    ("5,130,64,1,33", true, 8, 2, 64, FlashAttentionDtype.BFloat16, true),
    ("70,3,190", false, 4, 4, 128, FlashAttentionDtype.Float16, true),
};
foreach (var c in cases)
{
    var lens = c.Lengths.Split(',').Select(int.Parse).ToArray();
    var cu = new int[lens.Length + 1];
    for (var i = 0; i < lens.Length; i++) cu[i + 1] = cu[i] + lens[i];
    var p = new AttentionProblem(cu, cu, c.Hq, c.Hkv, c.D, c.Causal, 1f / MathF.Sqrt(c.D));
    var errors = HarnessCase.Run(flash, context, p, c.Dtype, c.Packed, seed: failures + lens.Sum());
    var worst = errors.Max(e => e.Value);
    var ok = worst <= 1e-2 && !errors.Values.Any(double.IsNaN);
    if (!ok) failures++;
    Console.WriteLine($"{(ok ? "PASS" : "FAIL")} lengths {c.Lengths} causal {c.Causal} Hq {c.Hq} Hkv {c.Hkv} D {c.D} {c.Dtype} packed {c.Packed}: "
        + string.Join(", ", errors.Select(e => $"{e.Key} {e.Value:E2}")));
}
Console.WriteLine(failures == 0 ? "harness: all cases pass" : $"harness: {failures} case(s) failed");
return failures == 0 ? 0 : 1;
