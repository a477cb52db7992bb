using Prem.Llm.Attention;
using Prem.Llm.Cuda.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Cuda.Tests.Reference;

public class ReferenceFlashAttentionTests
{
    [Fact]
    public void The_public_cpu_reference_backend_matches_eager_attention_on_packed_rows()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var backend = ReferenceFlashAttention.Create();
        Assert.Equal("flash", backend.Name);
        var q = randn(1, 4, 12, 64);
        var k = randn(1, 2, 12, 64);
        var v = randn(1, 2, 12, 64);
        var mask = new AttentionMask { DocumentIds = tensor(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 }).reshape(1, 12) };
        var expected = new Prem.Llm.Attention.EagerAttention().Forward(q, k, v, mask, 0.125);
        Assert.True(backend.Forward(q, k, v, mask, 0.125).allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Masks_the_kernels_cannot_express_go_to_the_fallback_or_throw()
    {
        using var scope = NewDisposeScope();
        var q = randn(1, 2, 3, 64);
        var padded = new AttentionMask { KeyPadding = ones(1, 3, ScalarType.Bool) };
        Assert.Throws<NotSupportedException>(() => ReferenceFlashAttention.Create().Forward(q, q, q, padded, 0.125));
        var viaFallback = ReferenceFlashAttention.Create(new Prem.Llm.Attention.EagerAttention()).Forward(q, q, q, padded, 0.125);
        Assert.True(viaFallback.allclose(new Prem.Llm.Attention.EagerAttention().Forward(q, q, q, padded, 0.125)));
    }
}
