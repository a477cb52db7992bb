using System.Numerics;
using System.Runtime.InteropServices;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// The AdamW update for a contiguous float32 parameter in one vectorised pass over p, g, m and v
/// (LibTorch's fused CPU AdamW is not bound in TorchSharp; the op-by-op form makes about eight passes
/// over memory, which dominates the optimizer step of small models). The clipping factor is applied
/// to g as it is read, and a bf16 working copy of p (mixed precision) is written while p is in cache.
/// </summary>
internal static class FusedAdamWKernel
{
    // 4 × 64 KiB per chunk: the updated p is still in L2 when it is rounded into the bf16 copy.
    private const int ChunkElements = 1 << 14;

    /// <summary>True when all four tensors are contiguous float32 CPU tensors of one size.
    /// On CUDA the op-by-op LibTorch update runs instead (<see cref="CpuKernels"/>).</summary>
    public static bool Applies(Tensor p, Tensor g, Tensor m, Tensor v) =>
        CpuKernels.Apply(p, ScalarType.Float32) && CpuKernels.Apply(g, ScalarType.Float32)
        && CpuKernels.Apply(m, ScalarType.Float32) && CpuKernels.Apply(v, ScalarType.Float32)
        && g.numel() == p.numel();

    /// <summary>True when <paramref name="copy"/> can receive <paramref name="p"/> rounded to bf16 from the kernel.</summary>
    public static bool CanCopy(Tensor p, Tensor copy) =>
        CpuKernels.Apply(copy, ScalarType.BFloat16) && copy.numel() == p.numel();

    /// <summary>
    /// g′ = gradScale·g; p ← p·decay; m ← m + (1−β₁)(g′ − m); v ← β₂v + (1−β₂)g′²;
    /// p ← p − step·m / (√v + ε̂); then copy ← bf16(p) when a copy is given.
    /// </summary>
    public static unsafe void Update(Tensor p, Tensor g, Tensor m, Tensor v, float decay, float beta1, float beta2, float step, float epsHat,
        float gradScale = 1f, Tensor? copy = null)
    {
        long n = p.numel();
        float* pp = Pointer(p), gp = Pointer(g), mp = Pointer(m), vp = Pointer(v);
        ushort* cp = copy is null ? null : (ushort*)TensorMemory.DataPointer(copy);
        // On the calling thread: .NET pool threads fighting LibTorch's spinning OpenMP workers for
        // the same cores made steps progressively slower, and one pass is memory-bound anyway.
        for (long start = 0; start < n; start += ChunkElements)
        {
            int count = (int)Math.Min(ChunkElements, n - start);
            var pChunk = new Span<float>(pp + start, count);
            Chunk(pChunk, new ReadOnlySpan<float>(gp + start, count),
                new Span<float>(mp + start, count), new Span<float>(vp + start, count), decay, beta1, beta2, step, epsHat, gradScale);
            if (cp is not null) BFloat16Bits.FromSingle(pChunk, new Span<ushort>(cp + start, count));
        }
    }

    private static void Chunk(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float decay, float beta1, float beta2, float step, float epsHat, float gradScale)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vp = MemoryMarshal.Cast<float, Vector<float>>(p);
            var vg = MemoryMarshal.Cast<float, Vector<float>>(g);
            var vm = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var oneMinusB1 = new Vector<float>(1 - beta1);
            var b2 = new Vector<float>(beta2);
            var oneMinusB2 = new Vector<float>(1 - beta2);
            var scale = new Vector<float>(gradScale);
            for (int k = 0; k < vp.Length; k++)
            {
                var gk = vg[k] * scale;
                var mk = vm[k] + oneMinusB1 * (gk - vm[k]);
                var vk = b2 * vv[k] + oneMinusB2 * gk * gk;
                vm[k] = mk;
                vv[k] = vk;
                vp[k] = vp[k] * decay - step * mk / (Vector.SquareRoot(vk) + new Vector<float>(epsHat));
            }
            i = vp.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            float gi = g[i] * gradScale;
            float mk = m[i] + (1 - beta1) * (gi - m[i]);
            float vk = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mk;
            v[i] = vk;
            p[i] = p[i] * decay - step * mk / (MathF.Sqrt(vk) + epsHat);
        }
    }

    private static unsafe float* Pointer(Tensor t) =>
        (float*)t.storage<float>().data_ptr() + t.storage_offset();
}
