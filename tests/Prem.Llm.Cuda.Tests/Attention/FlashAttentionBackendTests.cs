using Prem.Llm.Attention;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Reference;
using Prem.Llm.Cuda.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Tests.Attention;

/// <summary>
/// The backend's host logic and autograd wiring, run on the CPU through the reference executor and
/// compared with eager attention (AttentionMask.ToBoolMask, softmax, matmul) under TorchSharp autograd.
/// </summary>
public class FlashAttentionBackendTests
{
    static FlashAttentionBackend CpuBackend(IAttentionBackend? fallback = null) => new(new ReferenceFlashAttentionExecutor(), fallback);

    static Tensor Eager(Tensor q, Tensor k, Tensor v, AttentionMask mask, double scale)
    {
        var group = q.shape[1] / k.shape[1];
        var (kr, vr) = (k.repeat_interleave(group, 1), v.repeat_interleave(group, 1));
        var scores = q.matmul(kr.transpose(2, 3)) * scale;
        var allowed = mask.ToBoolMask(q.shape[2], k.shape[2], q.device);
        return scores.masked_fill(allowed.logical_not(), double.NegativeInfinity).softmax(-1).matmul(vr);
    }

    static double Rel(Tensor a, Tensor b) => (a - b).norm().item<float>() / b.norm().item<float>();

    public static TheoryData<bool, int, int, string?> Masks() => new()
    {
        { true, 4, 2, null },
        { false, 4, 4, null },
        { true, 8, 2, "0,0,0,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2|5,5,5,5,5,5,5,5,5,5,5,5,6,6,6,6,6,6,6,6" },
        { false, 2, 1, "0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1|0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1" },
    };

    [Theory]
    [MemberData(nameof(Masks))]
    public void MatchesEagerAttentionAndItsGradients(bool causal, int hq, int hkv, string? documents)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(hq * 7 + (causal ? 1 : 0));
        const int batch = 2, length = 20, d = 64;
        var mask = new AttentionMask
        {
            IsCausal = causal,
            DocumentIds = documents is null ? null
                : tensor(documents.Split('|').SelectMany(r => r.Split(',')).Select(long.Parse).ToArray()).reshape(batch, length),
        };
        var q = randn(batch, hq, length, d).requires_grad_();
        var k = randn(batch, hkv, length, d).requires_grad_();
        var v = randn(batch, hkv, length, d).requires_grad_();
        var dO = randn(batch, hq, length, d);
        var scale = 1 / Math.Sqrt(d);

        var flash = CpuBackend().Forward(q, k, v, mask, scale);
        (flash * dO).sum().backward();
        var (gq, gk, gv) = (q.grad!.clone(), k.grad!.clone(), v.grad!.clone());
        q.grad!.zero_(); k.grad!.zero_(); v.grad!.zero_();
        var eager = Eager(q, k, v, mask, scale);
        (eager * dO).sum().backward();

        Assert.Equal(eager.shape, flash.shape);
        Assert.InRange(Rel(flash, eager), 0, 1e-5);
        Assert.InRange(Rel(gq, q.grad!), 0, 1e-4);
        Assert.InRange(Rel(gk, k.grad!), 0, 1e-4);
        Assert.InRange(Rel(gv, v.grad!), 0, 1e-4);
    }

    [Fact]
    public void PackedRowsBecomeOneSequencePerDocument()
    {
        using var scope = NewDisposeScope();
        var mask = new AttentionMask { DocumentIds = tensor(new long[] { 3, 3, 4, 4, 4, 4, 9, 9 }).reshape(1, 8) };
        var (problem, packed) = FlashAttentionBackend.Plan(zeros(1, 4, 8, 64), zeros(1, 2, 8, 64), zeros(1, 2, 8, 64), mask, 0.125);
        Assert.True(packed);
        Assert.Equal([0, 2, 6, 8], problem.CuSeqlensQ);
        Assert.Equal((4, 2, 64, true, 0.125f), (problem.HeadsQ, problem.HeadsKv, problem.HeadDim, problem.Causal, problem.Scale));
    }

    sealed class RecordingBackend : IAttentionBackend
    {
        public int Calls;
        public string Name => "recording";
        public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale) { Calls++; return query; }
    }

    [Fact]
    public void KeyPaddingAndCacheOffsetsGoToTheFallback()
    {
        using var scope = NewDisposeScope();
        var fallback = new RecordingBackend();
        var (q, kv) = (zeros(1, 2, 4, 64), zeros(1, 2, 4, 64));
        CpuBackend(fallback).Forward(q, kv, kv, new AttentionMask { KeyPadding = ones(1, 4, ScalarType.Bool) }, 1);
        CpuBackend(fallback).Forward(q, kv, kv, new AttentionMask { QueryOffset = 3, IsCausal = false }, 1);
        Assert.Equal(2, fallback.Calls);
        var e = Assert.Throws<NotSupportedException>(() => CpuBackend().Forward(q, kv, kv, new AttentionMask { QueryOffset = 3 }, 1));
        Assert.Contains("fallback", e.Message);
        Assert.Equal("flash", CpuBackend().Name);
    }

    public static TheoryData<long[], long[], long[], string> BadShapes() => new()
    {
        { [1, 4, 8, 32], [1, 2, 8, 32], [1, 2, 8, 32], "headDim 32" },
        { [1, 6, 8, 64], [1, 4, 8, 64], [1, 4, 8, 64], "not a multiple" },
        { [1, 4, 8, 64], [1, 2, 9, 64], [1, 2, 9, 64], "equal query and key lengths" },
        { [1, 4, 8, 64], [2, 2, 8, 64], [2, 2, 8, 64], "must have batch 1" },
        { [1, 4, 8, 64], [1, 2, 8, 64], [1, 2, 7, 64], "must match 'key'" },
        { [4, 8, 64], [1, 2, 8, 64], [1, 2, 8, 64], "[batch, queryHeads, length, headDim]" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void RejectsShapesTheKernelsCannotTake(long[] qShape, long[] kShape, long[] vShape, string message)
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<CudaException>(() => CpuBackend().Forward(zeros(qShape), zeros(kShape), zeros(vShape), AttentionMask.Causal, 1));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void CudaExecutorNamesTheDtypeAndDeviceItNeeds()
    {
        using var scope = NewDisposeScope();
        var executor = new CudaFlashAttentionExecutor(() => throw new InvalidOperationException("no kernels needed"));
        var dtype = Assert.Throws<CudaException>(() => executor.CheckTensor(zeros(2, 2), "query"));
        Assert.Contains("'query' is Float32", dtype.Message);
        var device = Assert.Throws<CudaException>(() => executor.CheckTensor(zeros(new long[] { 2, 2 }, ScalarType.BFloat16), "key"));
        Assert.Contains("need CUDA tensors", device.Message);
    }
}
