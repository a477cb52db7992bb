namespace Prem.Llm.Cuda.Attention;

/// <summary>
/// Element strides of a [batch, length, heads, headDim]-like tensor whose last dimension is contiguous.
/// Contiguous [B, L, H, D] has (L·H·D, H·D, D); contiguous [B, H, L, D] has (H·L·D, D, L·D).
/// </summary>
/// <param name="Batch">Elements between sequences (unused for packed sequences, which use offsets).</param>
/// <param name="Row">Elements between consecutive tokens.</param>
/// <param name="Head">Elements between heads.</param>
internal readonly record struct TensorStrides(long Batch, long Row, long Head)
{
    /// <summary>Strides of a contiguous [batch, length, heads, headDim] tensor.</summary>
    public static TensorStrides TokenMajor(int length, int heads, int headDim) => new((long)length * heads * headDim, (long)heads * headDim, headDim);

    /// <summary>Strides of a contiguous [batch, heads, length, headDim] tensor.</summary>
    public static TensorStrides HeadMajor(int length, int heads, int headDim) => new((long)heads * length * headDim, headDim, (long)length * headDim);
}
