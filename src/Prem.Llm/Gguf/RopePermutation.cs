using static TorchSharp.torch;

namespace Prem.Llm.Gguf;

/// <summary>
/// HF Llama checkpoints rotate the two halves of each head (<c>rotate_half</c>); llama.cpp's <c>llama</c>
/// architecture rotates adjacent pairs. llama.cpp's converter therefore reorders the rows of the q and k
/// projections within each head: row (h, i, half) of HF becomes row (h, half-pair i) — i.e. a view
/// [heads, 2, head_dim/2, …] swapped to [heads, head_dim/2, 2, …]. The inverse swaps back.
/// </summary>
internal static class RopePermutation
{
    /// <summary>HF → GGUF order for a q or k weight [heads·head_dim, in] or bias [heads·head_dim].</summary>
    public static Tensor ToGguf(Tensor weight, int heads)
    {
        var shape = weight.shape;
        long half = shape[0] / heads / 2;
        long[] view = [heads, 2, half, .. shape[1..]];
        return weight.reshape(view).transpose(1, 2).reshape(shape).contiguous();
    }

    /// <summary>GGUF → HF order (the inverse of <see cref="ToGguf"/>).</summary>
    public static Tensor ToHf(Tensor weight, int heads)
    {
        var shape = weight.shape;
        long half = shape[0] / heads / 2;
        long[] view = [heads, half, 2, .. shape[1..]];
        return weight.reshape(view).transpose(1, 2).reshape(shape).contiguous();
    }
}
