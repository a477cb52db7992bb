using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// The raw-pointer flash-attention API: compiles (or loads from the cache) the kernels for the context's
/// device, validates a call and launches forward or backward on a stream.
/// </summary>
internal sealed class FlashAttention : IDisposable
{
    readonly CudaContext _context;
    readonly CudaModule _module;

    /// <summary>The loaded kernels (for resource reports).</summary>
    internal CudaModule Module => _module;

    FlashAttention(CudaContext context, CudaModule module)
    {
        _context = context;
        _module = module;
    }

    /// <summary>Compiles the kernels for <paramref name="context"/>'s device (cached on disk) and loads them.</summary>
    public static FlashAttention Load(CudaContext context, KernelCache? cache = null)
    {
        var image = (cache ?? KernelCache.Default).GetOrCompile(KernelSource.FlashAttention, "flash_attention", context.Architecture);
        return new FlashAttention(context, context.LoadModule(image));
    }

    /// <summary>O and LSE from Q, K, V.</summary>
    /// <exception cref="CudaException">The call is invalid (the message names the field) or a launch failed.</exception>
    public void Forward(AttentionProblem problem, FlashAttentionDtype dtype, FlashAttentionBuffers buffers, IntPtr stream = 0)
    {
        var p = BuildParams(problem, buffers, backward: false);
        _context.MakeCurrent();
        Launch(KernelName("flash_fwd", dtype, problem.HeadDim), LaunchGeometry.Forward(problem), ref p, stream);
    }

    /// <summary>dQ, dK, dV from Q, K, V, O, LSE and dO (with the delta pre-pass and the dQ conversion).</summary>
    /// <exception cref="CudaException">The call is invalid (the message names the field) or a launch failed.</exception>
    public void Backward(AttentionProblem problem, FlashAttentionDtype dtype, FlashAttentionBuffers buffers, IntPtr stream = 0)
    {
        var p = BuildParams(problem, buffers, backward: true);
        _context.MakeCurrent();
        var suffix = dtype == FlashAttentionDtype.BFloat16 ? "bf16" : "fp16";
        Launch($"flash_bwd_dot_do_o_{suffix}", LaunchGeometry.DotDoO(problem), ref p, stream);
        Launch(KernelName("flash_bwd", dtype, problem.HeadDim), LaunchGeometry.Backward(problem), ref p, stream);
        Launch($"flash_bwd_convert_dq_{suffix}", LaunchGeometry.ConvertDq(problem), ref p, stream);
    }

    void Launch(string kernel, LaunchGeometry geometry, ref FlashParams p, IntPtr stream) =>
        _module.GetKernel(kernel).Launch(geometry.Grid, geometry.Block, geometry.SharedBytes, ref p, stream);

    /// <summary>The kernel for a pass, dtype and head size, e.g. "flash_fwd_bf16_hd64".</summary>
    public static string KernelName(string pass, FlashAttentionDtype dtype, int headDim) =>
        $"{pass}_{(dtype == FlashAttentionDtype.BFloat16 ? "bf16" : "fp16")}_hd{headDim}";

    /// <summary>Checks a call and packs the kernels' argument. Pure host logic, testable without a GPU.</summary>
    internal static FlashParams BuildParams(AttentionProblem problem, FlashAttentionBuffers b, bool backward)
    {
        if (problem.HeadDim is not (64 or 128))
            throw new CudaException($"HeadDim {problem.HeadDim} is not supported by the kernels; use 64 or 128.");
        Require(b.Q, nameof(b.Q)); Require(b.K, nameof(b.K)); Require(b.V, nameof(b.V));
        Require(b.O, nameof(b.O)); Require(b.Lse, nameof(b.Lse));
        if (backward)
        {
            Require(b.DOut, nameof(b.DOut)); Require(b.DQ, nameof(b.DQ)); Require(b.DK, nameof(b.DK));
            Require(b.DV, nameof(b.DV)); Require(b.DQAccum, nameof(b.DQAccum)); Require(b.Delta, nameof(b.Delta));
        }
        CheckStrides(b.QStrides, nameof(b.QStrides));
        CheckStrides(b.KStrides, nameof(b.KStrides));
        var packed = b.CuSeqlensQ != 0 || b.CuSeqlensK != 0;
        if (packed && (b.CuSeqlensQ == 0 || b.CuSeqlensK == 0))
            throw new CudaException("FlashAttentionBuffers: CuSeqlensQ and CuSeqlensK must be given together.");
        if (!packed)
        {
            int lq = problem.CuSeqlensQ[1], lk = problem.CuSeqlensK[1];
            for (var s = 0; s < problem.NumSequences; s++)
                if (problem.CuSeqlensQ[s + 1] - problem.CuSeqlensQ[s] != lq || problem.CuSeqlensK[s + 1] - problem.CuSeqlensK[s] != lk)
                    throw new CudaException($"FlashAttentionBuffers: sequence {s} differs in length from sequence 0; ragged batches need CuSeqlensQ/CuSeqlensK.");
        }
        return new FlashParams
        {
            Q = b.Q, K = b.K, V = b.V, O = b.O, Lse = b.Lse,
            DOut = b.DOut, DQ = b.DQ, DK = b.DK, DV = b.DV, DQAccum = b.DQAccum, Delta = b.Delta,
            CuSeqlensQ = b.CuSeqlensQ, CuSeqlensK = b.CuSeqlensK,
            QBatchStride = b.QStrides.Batch, QRowStride = b.QStrides.Row, QHeadStride = b.QStrides.Head,
            KBatchStride = b.KStrides.Batch, KRowStride = b.KStrides.Row, KHeadStride = b.KStrides.Head,
            NumSeqs = problem.NumSequences, NumHeadsQ = problem.HeadsQ, NumHeadsKv = problem.HeadsKv, HeadDim = problem.HeadDim,
            SeqlenQ = problem.MaxSeqlenQ, SeqlenK = problem.MaxSeqlenK, TotalQ = problem.TotalQ,
            Causal = problem.Causal ? 1 : 0,
            Scale = problem.Scale, ScaleLog2 = problem.Scale * 1.4426950408889634f,
        };
    }

    // cp.async moves 16-byte chunks, so every row and head must start on a 16-byte boundary.
    static void Require(ulong pointer, string name)
    {
        if (pointer == 0) throw new CudaException($"FlashAttentionBuffers.{name} is null.");
        if (pointer % 16 != 0) throw new CudaException($"FlashAttentionBuffers.{name} (0x{pointer:x}) is not 16-byte aligned.");
    }

    static void CheckStrides(TensorStrides s, string name)
    {
        if (s.Row <= 0 || s.Head <= 0 || s.Batch < 0 || s.Row % 8 != 0 || s.Head % 8 != 0 || s.Batch % 8 != 0)
            throw new CudaException($"FlashAttentionBuffers.{name} {s} must be positive multiples of 8 elements (16 bytes).");
    }

    /// <summary>Unloads the kernels (the context stays open: it belongs to the caller).</summary>
    public void Dispose() => _module.Dispose();
}
