using Prem.Llm.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class GradientClippingTests
{
    [Fact]
    public void Returns_the_global_norm_and_scales_above_the_limit()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2)) { grad = tensor(new[] { 3f, 0f }) };
        var b = new Parameter(zeros(1)) { grad = tensor(new[] { 4f }) };
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([a, b], 1.0), 5);
        double after = Math.Sqrt(Math.Pow(a.grad!.data<float>()[0], 2) + Math.Pow(b.grad!.data<float>()[0], 2));
        Assert.Equal(1.0, after, 5);
        Assert.Equal(1.0, GradientClipping.ClipByGlobalNorm([a, b], 2.0), 4);
        Assert.Equal(0.6f, a.grad!.data<float>()[0], 4);
    }

    [Fact]
    public void Non_finite_gradients_report_a_non_finite_norm_and_are_left_alone()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2)) { grad = tensor(new[] { float.NaN, 1f }) };
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm([a], 1.0)));
        Assert.Equal(1f, a.grad!.data<float>()[1]);
        Assert.Equal(0, GradientClipping.ClipByGlobalNorm([new Parameter(zeros(2))], 1.0));
    }

    [Fact]
    public void Global_norm_and_coefficient_follow_torch_clip_grad_norm()
    {
        using var scope = NewDisposeScope();
        // torch.nn.utils.clip_grad_norm_ multiplies by max_norm / (total + 1e-6) only when that is below 1.
        Assert.Equal(5.0, GradientClipping.GlobalNorm([tensor(new[] { 3f, 0f }), tensor(new[] { 4f }).to_type(ScalarType.BFloat16)]), 5);
        Assert.Equal(0, GradientClipping.GlobalNorm([]));
        Assert.Equal(1.0 / (5 + 1e-6), GradientClipping.Coefficient(5, 1.0), 12);
        Assert.Equal(1.0, GradientClipping.Coefficient(0.5, 1.0));
        Assert.Equal(1.0, GradientClipping.Coefficient(1.0, 1.0));
        Assert.Equal(1.0, GradientClipping.Coefficient(50, 0));
        Assert.Equal(1.0, GradientClipping.Coefficient(double.NaN, 1.0));
        Assert.Equal(1.0, GradientClipping.Coefficient(double.PositiveInfinity, 1.0));
    }
}
