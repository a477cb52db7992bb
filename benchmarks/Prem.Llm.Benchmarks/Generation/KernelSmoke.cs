using System.Diagnostics;
using System.Numerics.Tensors;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary><c>kernel-smoke</c>: one 32000 × 512 float32 matrix-vector product, the engine kernel against a per-row dot, CPU-time normalised.</summary>
public static unsafe class KernelSmoke
{
    /// <summary>Runs the check.</summary>
    public static int Run()
    {
        const int rows = 32000 * 4, cols = 512;
        var w = GC.AllocateArray<float>(rows * cols, pinned: true);
        new Random(1).NextBytes(new byte[1]);
        w.AsSpan().Fill(0.5f);
        var x = GC.AllocateArray<float>(cols * 8, pinned: true);
        x.AsSpan().Fill(1f);
        var y = GC.AllocateArray<float>(rows * 8, pinned: true);
        float* pw = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref w[0]);
        nint px = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref x[0]);
        nint py = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref y[0]);
        {
            var m = new Fp32Matrix(pw) { Rows = rows, Cols = cols };
            for (int round = 0; round < 3; round++)
            {
                Time("engine kernel", rows * (long)cols * 4, () => Mul(m, px, py, 1));
                var wArr = w;
                Time("TensorPrimitives.Dot", rows * (long)cols * 4, () =>
                {
                    for (int r = 0; r < rows; r++) y[r] = TensorPrimitives.Dot(wArr.AsSpan(r * cols, cols), x.AsSpan(0, cols));
                });
                Time("engine kernel B=4", rows * (long)cols * 4, () => Mul(m, px, py, 4));
                Time("sum", rows * (long)cols * 4, () => TensorPrimitives.Sum(wArr.AsSpan()));
            }
        }
        return 0;
    }

    static void Mul(Fp32Matrix m, nint x, nint y, int tokens) => m.Multiply((float*)x, m.Cols, tokens, (float*)y, m.Rows, 0, m.Rows);

    static void Time(string name, long bytes, Action a)
    {
        a();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 5; i++) a();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine($"{name}: {5 * bytes / sw.Elapsed.TotalSeconds / 1e9:F1} GB/s wall, {5 * bytes / cpu / 1e9:F1} GB/s per CPU-second");
    }
}
