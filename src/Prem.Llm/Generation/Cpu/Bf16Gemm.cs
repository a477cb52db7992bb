using System.Numerics.Tensors;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A prompt's projections for bf16 weights through LibTorch's bf16 GEMM: the input rows are rounded to
/// bf16 once (as the TorchSharp bf16 forward and llama.cpp round activations for bf16 weights), multiplied
/// with the model's own weight tensor, and the bf16 products widened back to float32.
/// </summary>
/// <remarks>
/// LibTorch's bf16 GEMM uses the CPU's bf16 dot-product instructions (VDPBF16PS on AVX512-BF16) with
/// cache blocking for many rows: it ran 3.6× its float32 GEMM in the benchmarks. Decoding keeps the engine's
/// kernels (the same bf16-rounded activations, one pass over the weights, no per-token allocation); only
/// prompt chunks of at least <see cref="MinTokens"/> tokens come here.
/// </remarks>
internal sealed unsafe class Bf16Gemm
{
    /// <summary>Fewest tokens a prompt chunk needs for the GEMM to pay for its calls.</summary>
    public const int MinTokens = 16;

    /// <summary>
    /// Send bf16 prompt chunks here: on by default where the CPU has AVX512-BF16. Elsewhere LibTorch emulates bf16
    /// products and the engine's kernels are faster (110M, 512 tokens, 2-core Zen 3: 101 tok/s here, ~330 on the
    /// engine's kernels); tests turn it on to check this path anywhere.
    /// </summary>
    public static bool Use { get; set; } = NativeCpuKernels.Bf16.CpuSupported;

    Tensor? _input;

    /// <summary>Rounds input rows [<paramref name="tokens"/>, <paramref name="cols"/>] (<paramref name="xStride"/> apart) to bf16 for the next products.</summary>
    public void SetInput(float* x, int xStride, int tokens, int cols)
    {
        _input?.Dispose();
        _input = empty([tokens, cols], ScalarType.BFloat16).DetachFromDisposeScope(); // held across calls, freed by SetInput/Clear
        var bits = (ushort*)TensorMemory.DataPointer(_input);
        for (int t = 0; t < tokens; t++)
            BFloat16Bits.FromSingle(new ReadOnlySpan<float>(x + (long)t * xStride, cols), new Span<ushort>(bits + (long)t * cols, cols));
    }

    /// <summary>y[t · <paramref name="yStride"/> + r] = input row t · weight row r (+ bias[r]) for every row of <paramref name="weight"/> [rows, cols].</summary>
    public void Multiply(Tensor weight, float[]? bias, float* y, int yStride)
    {
        var input = _input ?? throw new InvalidOperationException("SetInput comes first.");
        using var noGrad = no_grad(); // the weights are the model's parameters: no autograd graph
        using var product = nn.functional.linear(input, weight);
        Widen(product, bias, y, yStride);
    }

    /// <summary>
    /// The MLP of the input rows into y: down(silu(gate · x) · (up · x)), with silu and the product in float32 on
    /// LibTorch's threads and their result rounded to bf16 for the down projection (no biases).
    /// </summary>
    public void Mlp(Tensor gate, Tensor up, Tensor down, float* y, int yStride)
    {
        var input = _input ?? throw new InvalidOperationException("SetInput comes first.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var g = nn.functional.linear(input, gate).to_type(ScalarType.Float32);
        var u = nn.functional.linear(input, up).to_type(ScalarType.Float32);
        var hidden = nn.functional.silu(g).mul_(u).to_type(ScalarType.BFloat16);
        var product = nn.functional.linear(hidden, down);
        Widen(product, null, y, yStride);
    }

    static void Widen(Tensor product, float[]? bias, float* y, int yStride)
    {
        int tokens = (int)product.shape[0], rows = (int)product.shape[1];
        var bits = (ushort*)TensorMemory.DataPointer(product);
        for (int t = 0; t < tokens; t++)
        {
            var row = new Span<float>(y + (long)t * yStride, rows);
            BFloat16Bits.ToSingle(new ReadOnlySpan<ushort>(bits + (long)t * rows, rows), row);
            if (bias is not null) TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>Frees the input.</summary>
    public void Clear()
    {
        _input?.Dispose();
        _input = null;
    }
}
