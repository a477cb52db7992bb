using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Reference;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Harness;

/// <summary>One comparison: kernels vs the CPU reference on the same 16-bit inputs.</summary>
static class HarnessCase
{
    /// <summary>Relative L2 errors of O, LSE, dQ, dK, dV.</summary>
    public static Dictionary<string, double> Run(FlashAttention flash, CudaContext context, AttentionProblem p, FlashAttentionDtype dtype, bool packed, int seed)
    {
        var rng = new Random(seed);
        var bf16 = dtype == FlashAttentionDtype.BFloat16;
        ushort[] Make(int n, out float[] rounded)
        {
            var bits = new ushort[n];
            rounded = new float[n];
            for (var i = 0; i < n; i++)
            {
                var x = (float)(rng.NextDouble() * 2 - 1);
                bits[i] = bf16 ? Bits.ToBf16(x) : Bits.ToFp16(x);
                rounded[i] = bf16 ? Bits.FromBf16(bits[i]) : Bits.FromFp16(bits[i]);
            }
            return bits;
        }
        float[] ToFloat(ushort[] bits) => bits.Select(b => bf16 ? Bits.FromBf16(b) : Bits.FromFp16(b)).ToArray();

        int nq = p.TotalQ * p.HeadsQ * p.HeadDim, nk = p.TotalK * p.HeadsKv * p.HeadDim;
        var (hq, hk, hv, hdo) = (Make(nq, out var q), Make(nk, out var k), Make(nk, out var v), Make(nq, out var dO));

        // Reference: forward, then backward from the reference's own O and LSE.
        var (oRef, lseRef) = (new float[nq], new float[p.HeadsQ * p.TotalQ]);
        FlashAttentionReference.Forward(p, q, k, v, oRef, lseRef);
        var (dqRef, dkRef, dvRef) = (new float[nq], new float[nk], new float[nk]);
        FlashAttentionReferenceBackward.Backward(p, q, k, v, oRef, lseRef, dO, dqRef, dkRef, dvRef);

        using DeviceBuffer dq_ = DeviceBuffer.From<ushort>(hq), dk_ = DeviceBuffer.From<ushort>(hk), dv_ = DeviceBuffer.From<ushort>(hv),
            ddo = DeviceBuffer.From<ushort>(hdo), o = DeviceBuffer.Allocate(nq * 2L), lse = DeviceBuffer.Allocate(p.HeadsQ * p.TotalQ * 4L),
            gq = DeviceBuffer.Allocate(nq * 2L), gk = DeviceBuffer.Allocate(nk * 2L), gv = DeviceBuffer.Allocate(nk * 2L),
            accum = DeviceBuffer.Allocate(nq * 4L), delta = DeviceBuffer.Allocate(p.HeadsQ * p.TotalQ * 4L),
            cu = DeviceBuffer.From<int>(p.CuSeqlensQ);
        var buffers = new FlashAttentionBuffers
        {
            Q = dq_.Pointer, K = dk_.Pointer, V = dv_.Pointer, O = o.Pointer, Lse = lse.Pointer, DOut = ddo.Pointer,
            DQ = gq.Pointer, DK = gk.Pointer, DV = gv.Pointer, DQAccum = accum.Pointer, Delta = delta.Pointer,
            CuSeqlensQ = packed ? cu.Pointer : 0, CuSeqlensK = packed ? cu.Pointer : 0,
            QStrides = TensorStrides.TokenMajor(p.MaxSeqlenQ, p.HeadsQ, p.HeadDim),
            KStrides = TensorStrides.TokenMajor(p.MaxSeqlenK, p.HeadsKv, p.HeadDim),
        };
        flash.Forward(p, dtype, buffers);
        flash.Backward(p, dtype, buffers);
        context.Synchronize();

        var oBits = new ushort[nq]; o.Download<ushort>(oBits);
        var lseOut = new float[p.HeadsQ * p.TotalQ]; lse.Download<float>(lseOut);
        var gqBits = new ushort[nq]; gq.Download<ushort>(gqBits);
        var gkBits = new ushort[nk]; gk.Download<ushort>(gkBits);
        var gvBits = new ushort[nk]; gv.Download<ushort>(gvBits);
        return new Dictionary<string, double>
        {
            ["O"] = Rel(ToFloat(oBits), oRef), ["LSE"] = Rel(lseOut, lseRef),
            ["dQ"] = Rel(ToFloat(gqBits), dqRef), ["dK"] = Rel(ToFloat(gkBits), dkRef), ["dV"] = Rel(ToFloat(gvBits), dvRef),
        };
    }

    static double Rel(float[] actual, float[] expected)
    {
        double num = 0, den = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            double diff = actual[i] - expected[i];
            num += diff * diff;
            den += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }
}
