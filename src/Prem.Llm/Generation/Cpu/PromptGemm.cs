using System.Numerics.Tensors;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A prompt's projections through LibTorch's GEMM, multiplied with the model's own weight tensors: for bf16
/// weights the input rows are rounded to bf16 once (as the TorchSharp bf16 forward and llama.cpp round
/// activations for bf16 weights) and the bf16 products widened back to float32; float32 weights take the
/// rows as they are.
/// </summary>
/// <remarks>
/// LibTorch's GEMMs block for the caches over many rows, where the engine's kernels stream the weights once per
/// few tokens: with AVX512-BF16 its bf16 GEMM ran 3.6× its float32 GEMM in the benchmarks, and on CPUs without
/// AVX-512 its float32 GEMM outruns the engine's 256-bit kernel on a prompt (benchmarks/README.md, eighth pass).
/// Decoding keeps the engine's kernels (one pass over the weights, no per-token allocation); only prompt chunks of
/// at least <see cref="MinTokens"/> tokens come here.
/// </remarks>
internal sealed unsafe class PromptGemm
{
    /// <summary>Fewest tokens a prompt chunk needs for the GEMM to pay for its calls.</summary>
    public const int MinTokens = 16;

    /// <summary>
    /// Send bf16 prompt chunks here: on by default where the CPU has AVX512-BF16. Elsewhere LibTorch emulates bf16
    /// products and the engine's kernels are faster (110M, 512 tokens, 2-core Zen 3: 101 tok/s here, ~330 on the
    /// engine's kernels); tests turn it on to check this path anywhere.
    /// </summary>
    public static bool UseBf16 { get; set; } = NativeCpuKernels.Bf16.CpuSupported;

    /// <summary>
    /// Send float32 prompt chunks here: on by default where the engine's float32 kernel is not the AVX-512 one. With
    /// AVX-512 the engine's kernel ran a 110M prompt at 0.84–1.04 of LibTorch's 1024³ GEMM; with AVX2 only at 0.50–0.55.
    /// </summary>
    public static bool UseFloat32 { get; set; } = !MatMulKernel.UseVector512;

    /// <summary>Whether a prompt chunk of <paramref name="tokens"/> tokens over <paramref name="q"/>'s kind of matrix comes here.</summary>
    public static bool Applies(CpuMatrix q, int tokens) => tokens >= MinTokens && q switch
    {
        Bf16Matrix { Weight: not null } => UseBf16,
        Fp32Matrix { Weight: not null } => UseFloat32,
        _ => false,
    };

    /// <summary>The weight tensor of a matrix <see cref="Applies"/> accepted.</summary>
    public static Tensor Weight(CpuMatrix matrix) => matrix switch
    {
        Bf16Matrix { Weight: { } weight } => weight,
        Fp32Matrix { Weight: { } weight } => weight,
        _ => throw new ArgumentException("The matrix holds no weight tensor.", nameof(matrix)),
    };

    Tensor? _input;

    /// <summary>
    /// Copies input rows [<paramref name="tokens"/>, <paramref name="cols"/>] (<paramref name="xStride"/> apart) for the
    /// next products with weights of type <paramref name="dtype"/>: rounded to bf16 for bf16 weights.
    /// </summary>
    public void SetInput(float* x, int xStride, int tokens, int cols, ScalarType dtype)
    {
        _input?.Dispose();
        _input = empty([tokens, cols], dtype).DetachFromDisposeScope(); // held across calls, freed by SetInput/Clear
        IntPtr data = TensorMemory.DataPointer(_input);
        for (int t = 0; t < tokens; t++)
        {
            var row = new ReadOnlySpan<float>(x + (long)t * xStride, cols);
            if (dtype == ScalarType.BFloat16) BFloat16Bits.FromSingle(row, new Span<ushort>((ushort*)data + (long)t * cols, cols));
            else row.CopyTo(new Span<float>((float*)data + (long)t * cols, cols));
        }
    }

    /// <summary>y[t · <paramref name="yStride"/> + r] = input row t · weight row r (+ bias[r]) for every row of <paramref name="weight"/> [rows, cols].</summary>
    public void Multiply(Tensor weight, float[]? bias, float* y, int yStride)
    {
        var input = _input ?? throw new InvalidOperationException("SetInput comes first.");
        using var noGrad = no_grad(); // the weights are the model's parameters: no autograd graph
        using var product = nn.functional.linear(input, weight);
        Store(product, bias, y, yStride);
    }

    /// <summary>
    /// The MLP of the input rows into y: down(silu(gate · x) · (up · x)), with silu and the product in float32 on
    /// LibTorch's threads (rounded to bf16 for the down projection of bf16 weights; no biases).
    /// </summary>
    public void Mlp(Tensor gate, Tensor up, Tensor down, float* y, int yStride)
    {
        var input = _input ?? throw new InvalidOperationException("SetInput comes first.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var g = nn.functional.linear(input, gate).to_type(ScalarType.Float32);
        var u = nn.functional.linear(input, up).to_type(ScalarType.Float32);
        var hidden = nn.functional.silu(g).mul_(u).to_type(down.dtype);
        var product = nn.functional.linear(hidden, down);
        Store(product, bias: null, y, yStride);
    }

    // Product rows [tokens, rows] (bf16 or float32) into y as float32, plus the bias.
    static void Store(Tensor product, float[]? bias, float* y, int yStride)
    {
        int tokens = (int)product.shape[0], rows = (int)product.shape[1];
        IntPtr data = TensorMemory.DataPointer(product);
        for (int t = 0; t < tokens; t++)
        {
            var row = new Span<float>(y + (long)t * yStride, rows);
            if (product.dtype == ScalarType.BFloat16) BFloat16Bits.ToSingle(new ReadOnlySpan<ushort>((ushort*)data + (long)t * rows, rows), row);
            else new ReadOnlySpan<float>((float*)data + (long)t * rows, rows).CopyTo(row);
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
