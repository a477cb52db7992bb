using System.Numerics.Tensors;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A prompt's projections through LibTorch's GEMMs, in one of two ways:
/// <list type="bullet">
/// <item>bf16 weights through LibTorch's bf16 GEMM (<see cref="UseBf16"/>): the input rows rounded to bf16 once (as the
/// TorchSharp bf16 forward and llama.cpp round activations for bf16 weights), the bf16 products widened back to float32;</item>
/// <item>the float32 GEMM (<see cref="UseFloat32"/>): float32 weights as they are; bf16 weights widened to float32 one
/// matrix at a time, on inputs rounded to bf16 (exactly the engine's bf16 kernels' arithmetic: bf16 × bf16 products,
/// float32 sums); int8 weights dequantised one matrix at a time, on float32 inputs (the engine's int8 kernels quantise
/// the inputs too; llama.cpp's BLAS builds also dequantise for large batches).</item>
/// </list>
/// </summary>
/// <remarks>
/// LibTorch's GEMMs block for the caches over many rows, where the engine's kernels stream the weights once per few
/// tokens: with AVX512-BF16 its bf16 GEMM ran 3.6× its float32 GEMM in the benchmarks, and on CPUs without AVX-512 its
/// float32 GEMM outruns the engine's 256-bit kernels on a prompt (benchmarks/README.md, eighth pass). Decoding keeps the
/// engine's kernels (one pass over the weights, no per-token allocation); only prompt chunks of at least
/// <see cref="MinTokens"/> tokens come here.
/// </remarks>
internal sealed unsafe class PromptGemm
{
    /// <summary>Fewest tokens a prompt chunk needs for the GEMM to pay for its calls.</summary>
    public const int MinTokens = 16;

    /// <summary>
    /// Send prompt chunks of bf16 weights (the model's own tensors) to LibTorch's bf16 GEMM: on by default where the
    /// CPU has AVX512-BF16. Elsewhere LibTorch emulates bf16 products (110M, 512 tokens, 2-core Zen 3: 101 tok/s, against
    /// ~330 on the engine's kernels and ~560 widened through the float32 GEMM); tests turn it on to check this path anywhere.
    /// </summary>
    public static bool UseBf16 { get; set; } = NativeCpuKernels.Bf16.CpuSupported;

    /// <summary>
    /// Send prompt chunks of float32, bf16 (where <see cref="UseBf16"/> does not take them) and int8 weights to LibTorch's
    /// float32 GEMM: on by default where the engine's kernels are not the AVX-512 ones. With AVX-512 the engine's float32
    /// kernel ran a 110M prompt at 0.84–1.04 of LibTorch's 1024³ GEMM and its int8 kernel (AVX512-VNNI) faster still;
    /// with AVX2 only 0.50–0.55. Int8 matrices in the AVX512-VNNI kernel's panels never come here, nor panels that
    /// <see cref="Int8PanelVnni"/> multiplies (AVX-VNNI: up to 64 multiply-adds per cycle in VPDPBUSD, where an AVX2 float32
    /// GEMM has at most 16 in FMAs; not yet measured on such a CPU). Until set, it follows
    /// <see cref="MatMulKernel.UseVector512"/> (tests switch the kernels' width); <see cref="ResetFloat32"/> goes back to that.
    /// </summary>
    public static bool UseFloat32
    {
        get => _useFloat32 ?? !MatMulKernel.UseVector512;
        set => _useFloat32 = value;
    }

    static bool? _useFloat32;

    /// <summary>Makes <see cref="UseFloat32"/> follow the kernels' width again.</summary>
    public static void ResetFloat32() => _useFloat32 = null;

    /// <summary>Whether a prompt chunk of <paramref name="tokens"/> tokens over <paramref name="matrix"/>'s kind of matrix comes here.</summary>
    public static bool Applies(CpuMatrix matrix, int tokens) => tokens >= MinTokens && (InBf16(matrix) || matrix switch
    {
        Fp32Matrix { Weight: not null } or Bf16Matrix => UseFloat32,
        Int8Matrix { Native: false } int8 => UseFloat32 && !(int8.Panels && Int8PanelKernel.UseAvxVnni),
        _ => false,
    });

    // Whether products with the matrix run in LibTorch's bf16 GEMM.
    static bool InBf16(CpuMatrix matrix) => UseBf16 && matrix is Bf16Matrix { Weight: not null };

    Tensor? _input;
    Tensor? _widened;

    /// <summary>
    /// Copies input rows [<paramref name="tokens"/>, <paramref name="cols"/>] (<paramref name="xStride"/> apart) for the
    /// next products with <paramref name="matrix"/> (and matrices of its kind): rounded to bf16 for bf16 weights.
    /// </summary>
    public void SetInput(float* x, int xStride, int tokens, int cols, CpuMatrix matrix)
    {
        bool bf16 = InBf16(matrix);
        _input?.Dispose();
        _input = empty([tokens, cols], bf16 ? ScalarType.BFloat16 : ScalarType.Float32).DetachFromDisposeScope(); // freed by SetInput/Clear
        IntPtr data = TensorMemory.DataPointer(_input);
        for (int t = 0; t < tokens; t++)
        {
            var row = new ReadOnlySpan<float>(x + (long)t * xStride, cols);
            if (bf16) BFloat16Bits.FromSingle(row, new Span<ushort>((ushort*)data + (long)t * cols, cols));
            else
            {
                var to = new Span<float>((float*)data + (long)t * cols, cols);
                row.CopyTo(to);
                if (matrix is Bf16Matrix) RoundToBf16(to);
            }
        }
    }

    /// <summary>y[t · <paramref name="yStride"/> + r] = input row t · weight row r (+ bias[r]) for every row of <paramref name="matrix"/>.</summary>
    public void Multiply(CpuMatrix matrix, float[]? bias, float* y, int yStride)
    {
        var input = _input ?? throw new InvalidOperationException("SetInput comes first.");
        using var noGrad = no_grad(); // the weights are the model's parameters: no autograd graph
        using var scope = NewDisposeScope();
        Store(nn.functional.linear(input, WeightOf(matrix)), bias, y, yStride);
    }

    /// <summary>
    /// The MLP of the input rows into y: down(silu(gate · x) · (up · x)), with silu and the product in float32 on
    /// LibTorch's threads (rounded to bf16 for the down projection of bf16 weights; no biases).
    /// </summary>
    public void Mlp(CpuMatrix gate, CpuMatrix up, CpuMatrix down, float* y, int yStride)
    {
        var input = _input ?? throw new InvalidOperationException("SetInput comes first.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // One weight at a time: a widened or dequantised matrix is overwritten by the next.
        var g = nn.functional.linear(input, WeightOf(gate)).to_type(ScalarType.Float32);
        var u = nn.functional.linear(input, WeightOf(up)).to_type(ScalarType.Float32);
        var hidden = nn.functional.silu(g).mul_(u);
        if (InBf16(down)) hidden = hidden.to_type(ScalarType.BFloat16);
        else if (down is Bf16Matrix) hidden = hidden.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
        var product = nn.functional.linear(hidden, WeightOf(down));
        Store(product, bias: null, y, yStride);
    }

    /// <summary>
    /// The weights of a matrix <see cref="Applies"/> accepts as a tensor [rows, cols]: the model's own tensor, or
    /// float32 widened from bf16 or dequantised from int8 into a buffer the next call overwrites (disposing the result
    /// leaves the buffer, which the engine keeps at the size of the largest matrix).
    /// </summary>
    public Tensor WeightOf(CpuMatrix matrix)
    {
        if (InBf16(matrix)) return ((Bf16Matrix)matrix).Weight!;
        switch (matrix)
        {
            case Fp32Matrix { Weight: { } float32 }: return float32;
            case Bf16Matrix or Int8Matrix { Native: false }:
                long size = (long)matrix.Rows * matrix.Cols;
                if (_widened is null || _widened.numel() < size)
                {
                    _widened?.Dispose();
                    _widened = empty(size, ScalarType.Float32).DetachFromDisposeScope();
                }
                var data = (float*)TensorMemory.DataPointer(_widened);
                int cols = matrix.Cols;
                Parallel.For(0, (matrix.Rows + 63) / 64, chunk =>
                {
                    for (int r = chunk * 64, end = Math.Min(matrix.Rows, r + 64); r < end; r++)
                        matrix.ReadRow(r, new Span<float>(data + (long)r * cols, cols));
                });
                return _widened.narrow(0, 0, size).view(matrix.Rows, cols);
            default:
                throw new ArgumentException($"The prompt GEMM takes no {matrix.GetType().Name} (see Applies).", nameof(matrix));
        }
    }

    // Rounds float32 values to bf16 (ties to even) in place, as the engine's bf16 kernels round their inputs.
    static void RoundToBf16(Span<float> values)
    {
        Span<ushort> bits = stackalloc ushort[256];
        for (int i = 0; i < values.Length; i += bits.Length)
        {
            var part = values.Slice(i, Math.Min(bits.Length, values.Length - i));
            BFloat16Bits.FromSingle(part, bits[..part.Length]);
            BFloat16Bits.ToSingle(bits[..part.Length], part);
        }
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

    /// <summary>Frees the input (the widening buffer stays for the next prompt).</summary>
    public void Clear()
    {
        _input?.Dispose();
        _input = null;
    }
}
