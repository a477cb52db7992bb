using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class FusedAdamWKernelTests
{
    [Fact]
    public void Update_matches_the_formula_elementwise()
    {
        using var scope = NewDisposeScope();
        // 37 elements: a vectorised body and a scalar tail on any vector width.
        var g = new TorchSharp.torch.Generator(5);
        var p = randn([37], generator: g); var grad = randn([37], generator: g);
        var m = randn([37], generator: g).mul(0.1); var v = rand([37], generator: g).mul(0.1);
        var (p0, g0, m0, v0) = (p.data<float>().ToArray(), grad.data<float>().ToArray(), m.data<float>().ToArray(), v.data<float>().ToArray());
        const float decay = 0.99f, b1 = 0.9f, b2 = 0.95f, step = 0.01f, eps = 1e-6f;
        Assert.True(FusedAdamWKernel.Applies(p, grad, m, v));
        FusedAdamWKernel.Update(p, grad, m, v, decay, b1, b2, step, eps);
        for (int i = 0; i < 37; i++)
        {
            double mi = m0[i] + (1 - b1) * (g0[i] - m0[i]);
            double vi = b2 * v0[i] + (1 - b2) * g0[i] * g0[i];
            double pi = p0[i] * decay - step * mi / (Math.Sqrt(vi) + eps);
            Assert.Equal(mi, m.data<float>()[i], 5);
            Assert.Equal(vi, v.data<float>()[i], 5);
            Assert.Equal(pi, p.data<float>()[i], 5);
        }
    }

    [Fact]
    public void Scale_and_bf16_copy_match_the_formula_and_LibTorch_rounding()
    {
        using var scope = NewDisposeScope();
        // Several kernel chunks (16,384 elements each) and a tail.
        const int n = 40_000;
        var g = new TorchSharp.torch.Generator(11);
        var p = randn([n], generator: g); var grad = randn([n], generator: g);
        var m = zeros(n); var v = zeros(n);
        var (p0, g0) = (p.data<float>().ToArray(), grad.data<float>().ToArray());
        var copy = zeros(n, ScalarType.BFloat16);
        Assert.True(FusedAdamWKernel.CanCopy(p, copy));
        FusedAdamWKernel.Update(p, grad, m, v, 1f, 0.9f, 0.95f, 0.01f, 1e-8f, gradScale: 0.5f, copy: copy);
        var updated = p.data<float>();
        for (int i = 0; i < n; i += 997)
        {
            double gi = g0[i] * 0.5;
            double mi = 0.1 * gi, vi = 0.05 * gi * gi;
            Assert.Equal(p0[i] - 0.01 * mi / (Math.Sqrt(vi) + 1e-8), updated[i], 4);
        }
        Assert.True(copy.equal(p.to_type(ScalarType.BFloat16)).all().item<bool>());
        Assert.False(FusedAdamWKernel.CanCopy(p, zeros(n, ScalarType.Float16)));
        Assert.False(FusedAdamWKernel.CanCopy(p, zeros(n + 1, ScalarType.BFloat16)));
    }

    [Fact]
    public void Applies_only_to_contiguous_float32()
    {
        using var scope = NewDisposeScope();
        var a = zeros(4, 4);
        Assert.False(FusedAdamWKernel.Applies(a.t(), a, a, a));
        var b = zeros(4, 4, ScalarType.BFloat16);
        Assert.False(FusedAdamWKernel.Applies(b, b, b, b));
    }
}
