using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Attention;

/// <summary>The raw API's argument checks and packing (no GPU needed).</summary>
public class FlashAttentionTests : IClassFixture<ToolReport>
{
    static readonly AttentionProblem _problem = AttentionProblem.FixedLength(2, 100, 100, 8, 2, 64, true, 0.125f);

    static FlashAttentionBuffers Buffers() => new()
    {
        Q = 0x1000, K = 0x2000, V = 0x3000, O = 0x4000, Lse = 0x5000,
        DOut = 0x6000, DQ = 0x7000, DK = 0x8000, DV = 0x9000, DQAccum = 0xa000, Delta = 0xb000,
        QStrides = TensorStrides.TokenMajor(100, 8, 64), KStrides = TensorStrides.HeadMajor(100, 2, 64),
    };

    [Fact]
    public void PacksTheKernelArgument()
    {
        var p = FlashAttention.BuildParams(_problem, Buffers(), backward: true);
        Assert.Equal((0x1000ul, 0x5000ul, 0xb000ul), (p.Q, p.Lse, p.Delta));
        Assert.Equal((100L * 8 * 64, 8L * 64, 64L), (p.QBatchStride, p.QRowStride, p.QHeadStride));
        Assert.Equal((2L * 100 * 64, 64L, 100L * 64), (p.KBatchStride, p.KRowStride, p.KHeadStride));
        Assert.Equal((2, 8, 2, 64, 100, 100, 200, 1), (p.NumSeqs, p.NumHeadsQ, p.NumHeadsKv, p.HeadDim, p.SeqlenQ, p.SeqlenK, p.TotalQ, p.Causal));
        Assert.Equal(0.125f * 1.442695f, p.ScaleLog2, 5);
    }

    [SkippableFact]
    public void StructMatchesTheKernelsParameterSize()
    {
        // The PTX declares the by-value parameter's size; a field added on one side only fails here.
        ToolRequirement.Nvrtc();
        var ptx = NvrtcCompiler.Compile(KernelSource.FlashAttention, "flash_attention.cu", "sm_80").Ptx;
        var size = Regex.Match(ptx, @"\.entry flash_fwd_bf16_hd64\(\s*\.param \.align \d+ \.b8 flash_fwd_bf16_hd64_param_0\[(\d+)\]");
        Assert.True(size.Success, "parameter declaration not found in the PTX");
        Assert.Equal(int.Parse(size.Groups[1].Value), Marshal.SizeOf<FlashParams>());
    }

    public static TheoryData<string, string> BadBuffers() => new()
    {
        { "Q=0", "Q is null" },
        { "K=0x2004", "not 16-byte aligned" },
        { "DQAccum=0", "DQAccum is null" },
        { "CuSeqlensQ=0x100", "given together" },
        { "QStrides", "multiples of 8" },
    };

    [Theory]
    [MemberData(nameof(BadBuffers))]
    public void RejectsBadBuffers(string change, string message)
    {
        var b = Buffers();
        b = change switch
        {
            "Q=0" => b with { Q = 0 },
            "K=0x2004" => b with { K = 0x2004 },
            "DQAccum=0" => b with { DQAccum = 0 },
            "CuSeqlensQ=0x100" => b with { CuSeqlensQ = 0x100 },
            _ => b with { QStrides = new TensorStrides(0, 12, 64) },
        };
        var e = Assert.Throws<CudaException>(() => FlashAttention.BuildParams(_problem, b, backward: true));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ForwardDoesNotNeedGradientBuffers()
    {
        var p = FlashAttention.BuildParams(_problem, Buffers() with { DQ = 0, DQAccum = 0 }, backward: false);
        Assert.Equal(0ul, p.DQ);
    }

    [Fact]
    public void RaggedBatchesNeedOffsets()
    {
        var ragged = new AttentionProblem([0, 3, 10], [0, 3, 10], 8, 2, 64, true, 0.125f);
        var e = Assert.Throws<CudaException>(() => FlashAttention.BuildParams(ragged, Buffers(), backward: false));
        Assert.Contains("CuSeqlensQ", e.Message);
        var p = FlashAttention.BuildParams(ragged, Buffers() with { CuSeqlensQ = 0x100, CuSeqlensK = 0x200 }, backward: false);
        Assert.Equal((7, 7, 10), (p.SeqlenQ, p.SeqlenK, p.TotalQ));
    }

    [Fact]
    public void OnlyHeadSizes64And128()
    {
        var p = AttentionProblem.FixedLength(1, 8, 8, 2, 2, 96, false, 0.1f);
        Assert.Contains("HeadDim 96", Assert.Throws<CudaException>(() => FlashAttention.BuildParams(p, Buffers(), false)).Message);
        Assert.Equal("flash_bwd_fp16_hd128", FlashAttention.KernelName("flash_bwd", FlashAttentionDtype.Float16, 128));
    }
}
