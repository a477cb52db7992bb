using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class SwiGluMlpTests
{
    [Fact]
    public void Computes_down_of_silu_gate_times_up()
    {
        var config = LlamaForCausalLMTests.TinyConfig();
        var mlp = new SwiGluMlp(config);
        var p = mlp.state_dict();
        Assert.Equal(new[] { "down_proj.weight", "gate_proj.weight", "up_proj.weight" }, p.Keys.Order());
        var x = randn(2, 3, config.HiddenSize);
        var gate = matmul(x, p["gate_proj.weight"].t());
        var silu = gate.mul(gate.neg().exp().add(1).reciprocal());
        var expected = matmul(silu.mul(matmul(x, p["up_proj.weight"].t())), p["down_proj.weight"].t());
        Assert.True(mlp.forward(x).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }
}
