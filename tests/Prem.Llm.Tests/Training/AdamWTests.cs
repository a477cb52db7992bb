using Prem.Llm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = Prem.Llm.Training.AdamW;

namespace Prem.Llm.Tests.Training;

public class AdamWTests
{
    [Fact]
    public void Matches_torch_adamw_with_two_groups()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var initW = randn([4, 3], generator: g);
        var initB = randn([3], generator: g);
        var ours = (W: new Parameter(initW.clone()), B: new Parameter(initB.clone()));
        var theirs = (W: new Parameter(initW.clone()), B: new Parameter(initB.clone()));
        var adam = new AdamW([([("w", ours.W)], 0.1), ([("b", ours.B)], 0.0)], 0.9, 0.95, 1e-8);
        // Two torch optimizers stand in for the two groups.
        var referenceW = optim.AdamW([theirs.W], lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        var referenceB = optim.AdamW([theirs.B], lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.0);
        var x = randn([5, 4], generator: g);
        for (int step = 0; step < 5; step++)
        {
            foreach (var (w, b) in new[] { (ours.W, ours.B), (theirs.W, theirs.B) })
            {
                var y = x.matmul(w).add(b).square().mean();
                y.backward();
            }
            adam.Step(1e-2);
            referenceW.step();
            referenceB.step();
            adam.ZeroGrad();
            referenceW.zero_grad();
            referenceB.zero_grad();
        }
        Assert.Equal(5, adam.StepCount);
        Assert.True(ours.W.sub(theirs.W).abs().max().item<float>() < 1e-6f);
        Assert.True(ours.B.sub(theirs.B).abs().max().item<float>() < 1e-6f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_gradient_scale_equals_scaling_the_gradients_first(bool contiguous)
    {
        using var scope = NewDisposeScope();
        // A transposed parameter is not contiguous: the tensor-op path instead of the fused kernel.
        var init = randn([37, 3], generator: new Generator(4));
        var grad = randn([37, 3], generator: new Generator(5));
        Parameter Make() => new(contiguous ? init.clone() : init.t().contiguous().t());
        var (scaled, prescaled) = (Make(), Make());
        var adamScaled = new AdamW([([("w", scaled)], 0.1)]);
        var adamPrescaled = new AdamW([([("w", prescaled)], 0.1)]);
        for (int step = 0; step < 3; step++)
        {
            scaled.grad = grad.clone();
            prescaled.grad = grad.mul(0.3f);
            adamScaled.Step(1e-2, 0.3);
            adamPrescaled.Step(1e-2);
        }
        Assert.Equal(contiguous, scaled.is_contiguous());
        Assert.True(scaled.equal(prescaled).all().item<bool>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bf16_copies_receive_each_updated_parameter_rounded(bool contiguous)
    {
        using var scope = NewDisposeScope();
        var init = randn([37, 3], generator: new Generator(6));
        var w = new Parameter(contiguous ? init.clone() : init.t().contiguous().t());
        var untouched = new Parameter(zeros(4));
        var copy = zeros(37, 3, ScalarType.BFloat16);
        var untouchedCopy = full(4, 7f, ScalarType.BFloat16);
        var adam = new AdamW([([("w", w), ("u", untouched)], 0.1)]);
        adam.SetBf16Copies([("w", copy), ("u", untouchedCopy)]);
        w.grad = randn([37, 3], generator: new Generator(7));
        adam.Step(1e-2);
        // LibTorch's own rounding of the updated float32 weights is the reference.
        Assert.True(copy.equal(w.detach().to_type(ScalarType.BFloat16)).all().item<bool>());
        // A parameter without a gradient is not updated, and neither is its copy.
        Assert.True(untouchedCopy.equal(full(4, 7f, ScalarType.BFloat16)).all().item<bool>());

        var ex = Assert.Throws<ArgumentException>(() => adam.SetBf16Copies([("missing", copy)]));
        Assert.Contains("'missing'", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => adam.SetBf16Copies([("w", zeros(3, 37, ScalarType.BFloat16))]));
        Assert.Contains("[3, 37]", ex.Message);
    }

    [Fact]
    public void Bf16_parameters_take_the_tensor_path_and_follow_torch()
    {
        using var scope = NewDisposeScope();
        var init = randn([6, 5], generator: new Generator(8)).to_type(ScalarType.BFloat16);
        var ours = new Parameter(init.clone());
        var theirs = new Parameter(init.clone());
        var adam = new AdamW([([("w", ours)], 0.1)]);
        var reference = optim.AdamW([theirs], lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        var grad = randn([6, 5], generator: new Generator(9)).to_type(ScalarType.BFloat16);
        ours.grad = grad.clone();
        theirs.grad = grad.clone();
        adam.Step(1e-2);
        reference.step();
        Assert.True(ours.to_type(ScalarType.Float32).sub(theirs.to_type(ScalarType.Float32)).abs().max().item<float>() < 1e-2f);
        Assert.Equal(ScalarType.BFloat16, adam.StateTensors().First().Value.dtype);
    }

    [Fact]
    public void State_round_trips()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(ones(3));
        var adam = new AdamW([([("p", p)], 0.0)]);
        p.grad = full(3, 0.5f);
        adam.Step(0.1);
        var saved = adam.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        Assert.Equal(["exp_avg.p", "exp_avg_sq.p"], saved.Keys.Order(StringComparer.Ordinal));
        var other = new AdamW([([("p", p)], 0.0)]);
        other.LoadState(adam.StepCount, k => saved.GetValueOrDefault(k)?.clone());
        Assert.Equal(1, other.StepCount);
        var loaded = other.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.True(loaded["exp_avg.p"].eq(saved["exp_avg.p"]).all().item<bool>());
        Assert.True(loaded["exp_avg_sq.p"].eq(saved["exp_avg_sq.p"]).all().item<bool>());
        Assert.Throws<ArgumentException>(() => new AdamW([([("p", p)], 0.0), ([("p", p)], 0.1)]));
    }
}
