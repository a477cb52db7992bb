using System.Runtime.InteropServices;

namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// The kernels' one argument, field for field the <c>FlashParams</c> struct of Kernels/flash_common.cu
/// (a test checks its size against the PTX). Pointers are device addresses; strides are in elements.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlashParams
{
    public ulong Q, K, V, O, Lse, DOut, DQ, DK, DV, DQAccum, Delta, CuSeqlensQ, CuSeqlensK;
    public long QBatchStride, QRowStride, QHeadStride;
    public long KBatchStride, KRowStride, KHeadStride;
    public int NumSeqs, NumHeadsQ, NumHeadsKv, HeadDim;
    public int SeqlenQ, SeqlenK, TotalQ, Causal;
    public float Scale, ScaleLog2;
}
