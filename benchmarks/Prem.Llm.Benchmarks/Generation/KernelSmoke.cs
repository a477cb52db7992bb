using System.Diagnostics;
using System.Runtime.CompilerServices;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// <c>kernel-smoke</c>: one thread's matrix products per format (float32, bf16, int8) on a matrix that
/// stays in the L2 cache (the kernel's compute rate) and on one that streams from memory, for 1, 4
/// and 8 tokens (rows of KERNEL_SMOKE_COLS columns, 768 unless set); weights per CPU-second, so that load from other processes matters less. A working tool
/// for the kernels; the README's figures come from the BenchmarkDotNet suite.
/// </summary>
public static unsafe class KernelSmoke
{
    /// <summary>Runs the check.</summary>
    public static int Run()
    {
        CacheWarmer.Enabled = Environment.GetEnvironmentVariable("PREM_NO_WARM") != "1";
        int cols = int.TryParse(Environment.GetEnvironmentVariable("KERNEL_SMOKE_COLS"), out int c) ? c : 768; // row length
        var random = new Random(1);
        var x = GC.AllocateArray<float>(cols * 8, pinned: true);
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble() - 0.5f;
        foreach (int rows in new[] { 128 * 768 / cols, 128_000 * 768 / cols })
        {
            var w = GC.AllocateArray<float>(rows * cols, pinned: true);
            for (int i = 0; i < w.Length; i += 97) w[i] = (float)random.NextDouble() - 0.5f;
            var bits = GC.AllocateArray<ushort>(rows * cols, pinned: true);
            for (int i = 0; i < w.Length; i++) bits[i] = (ushort)(BitConverter.SingleToUInt32Bits(w[i]) >> 16);
            var y = GC.AllocateArray<float>(rows * 8, pinned: true);
            float* pw = (float*)Unsafe.AsPointer(ref w[0]);
            CpuMatrix[] matrices =
            [
                new Fp32Matrix(pw) { Rows = rows, Cols = cols },
                new Bf16Matrix((ushort*)Unsafe.AsPointer(ref bits[0])) { Rows = rows, Cols = cols },
                Int8Matrix.Quantize(rows, cols, (r, row) => w.AsSpan(r * cols, cols).CopyTo(row)),
            ];
            string[] names = ["float32", "bf16", "int8"];
            int repeats = rows < 1000 ? 2000 : 3;
            var quantized = new Q8Activations();
            var rounded = new Bf16Activations();
            for (int m = 0; m < matrices.Length; m++)
                foreach (int tokens in new[] { 1, 4, 8 })
                {
                    var matrix = matrices[m];
                    fixed (float* px = x, py = y)
                    {
                        float* xp = px, yp = py;
                        Time($"{rows} × {cols} {names[m]}, {tokens} token(s)", (long)rows * cols * repeats, () =>
                        {
                            for (int i = 0; i < repeats; i++)
                            {
                                var q = PreparedInput.For(matrix, xp, cols, tokens, quantized, rounded);
                                if (rows < 1000) matrix.Multiply(xp, cols, tokens, yp, rows, 0, rows, q);
                                else
                                    // As the engine does: chunks of 80 rows (about 256 KB of float32 at 768 columns, whole
                                    // 16-row panels), outputs in a small buffer.
                                    for (int start = 0; start < rows; start += 80)
                                        matrix.Multiply(xp, cols, tokens, yp - start, 80, start, Math.Min(rows, start + 80), q);
                            }
                        });
                    }
                }
        }
        Strided(cols);
        return 0;
    }

    // How chunk size affects streaming: one thread reads every other chunk of a large bf16 matrix (as one of two
    // workers claiming chunks in turn does), for chunks of 16 KB … 512 KB and for the whole matrix in one pass.
    static void Strided(int cols)
    {
        int rows = 128_000 * 768 / cols;
        var bits = GC.AllocateArray<ushort>(rows * cols, pinned: true);
        for (int i = 0; i < bits.Length; i += 7) bits[i] = 0x3c00;
        var x = GC.AllocateArray<float>(cols, pinned: true);
        var y = GC.AllocateArray<float>(rows, pinned: true);
        var matrix = new Bf16Matrix((ushort*)Unsafe.AsPointer(ref bits[0])) { Rows = rows, Cols = cols };
        float* px = (float*)Unsafe.AsPointer(ref x[0]), py = (float*)Unsafe.AsPointer(ref y[0]);
        foreach (int kb in new[] { 16, 32, 64, 128, 256, 512, 0 })
        {
            int chunkRows = kb == 0 ? rows : Math.Max(1, kb * 1024 / (cols * 2));
            int step = kb == 0 ? rows : 2 * chunkRows;
            long weights = 0;
            for (int start = 0; start < rows; start += step) weights += (long)Math.Min(chunkRows, rows - start) * cols;
            Time(kb == 0 ? "bf16 one pass" : $"bf16 every other chunk of {kb} KB", weights, () =>
            {
                for (int start = 0; start < rows; start += step) matrix.Multiply(px, cols, 1, py, rows, start, Math.Min(rows, start + chunkRows));
            });
        }
    }

    static void Time(string name, long weights, Action a)
    {
        a();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 3; i++) a();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine($"{name}: {3 * weights / sw.Elapsed.TotalSeconds / 1e9:F2} G weights/s wall, {3 * weights / cpu / 1e9:F2} per CPU-second");
    }
}
