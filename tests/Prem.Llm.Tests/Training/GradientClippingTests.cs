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
}
