using Prem.Llm.Attention;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Attention;

public class AutoSdpaAttentionTests
{
    static (Tensor, Tensor, Tensor) Inputs(int tq, int tk, ScalarType dtype)
    {
        var g = new TorchSharp.torch.Generator(5);
        return (randn([1, 4, tq, 16], generator: g).to_type(dtype), randn([1, 2, tk, 16], generator: g).to_type(dtype), randn([1, 2, tk, 16], generator: g).to_type(dtype));
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, 16, 16, true, true)]
    [InlineData(ScalarType.BFloat16, 16, 16, false, true)]
    [InlineData(ScalarType.BFloat16, 1, 16, true, false)] // decode-style causal: not plain
    [InlineData(ScalarType.BFloat16, 600, 600, true, false)] // above DecomposedMaxKeys
    [InlineData(ScalarType.Float32, 16, 16, true, false)]
    public void Runs_eager_exactly_for_short_plain_half_precision_cpu_attention(ScalarType dtype, int tq, int tk, bool causal, bool decomposed)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Inputs(tq, tk, dtype);
        var mask = causal ? AttentionMask.Causal : new AttentionMask { IsCausal = false };
        var auto = new AutoSdpaAttention();
        Assert.Equal(decomposed, auto.RunsDecomposed(q, k, mask));
        IAttentionBackend expected = decomposed ? new EagerAttention() : new SdpaAttention();
        Assert.True(auto.Forward(q, k, v, mask, 0.25).equal(expected.Forward(q, k, v, mask, 0.25)).all().item<bool>());
    }

    [Fact]
    public void Is_the_sdpa_backend_and_zero_keys_turns_decomposition_off()
    {
        Assert.IsType<AutoSdpaAttention>(AttentionBackends.Create("sdpa"));
        Assert.Equal("sdpa", new AutoSdpaAttention().Name);
        Assert.Equal(AutoSdpaAttention.DefaultDecomposedMaxKeys, new AutoSdpaAttention().DecomposedMaxKeys);
        using var scope = NewDisposeScope();
        var (q, k, _) = Inputs(8, 8, ScalarType.BFloat16);
        Assert.False(new AutoSdpaAttention(0).RunsDecomposed(q, k, AttentionMask.Causal));
    }
}
