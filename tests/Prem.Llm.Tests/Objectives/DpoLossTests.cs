using Prem.Llm.Objectives;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class DpoLossTests
{
    static readonly float[] _pc = [-10.0f, -3.5f, -7.25f];
    static readonly float[] _pr = [-12.0f, -2.0f, -7.25f];
    static readonly float[] _rc = [-11.0f, -3.0f, -6.0f];
    static readonly float[] _rr = [-11.5f, -2.5f, -9.0f];

    static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));

    static double Expected(DpoLossType type, int i, double beta, double eps)
    {
        double h = (_pc[i] - _pr[i]) - (_rc[i] - _rr[i]);
        return type switch
        {
            DpoLossType.Sigmoid => -LogSigmoid(beta * h) * (1 - eps) - LogSigmoid(-beta * h) * eps,
            DpoLossType.Robust => (-LogSigmoid(beta * h) * (1 - eps) + LogSigmoid(-beta * h) * eps) / (1 - 2 * eps),
            DpoLossType.Hinge => Math.Max(0, 1 - beta * h),
            DpoLossType.Ipo => Math.Pow(h - 1 / (2 * beta), 2),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    [Theory]
    [InlineData(DpoLossType.Sigmoid, 0.1, 0.0)]
    [InlineData(DpoLossType.Sigmoid, 0.5, 0.2)]
    [InlineData(DpoLossType.Robust, 0.1, 0.1)]
    [InlineData(DpoLossType.Robust, 1.0, 0.0)]
    [InlineData(DpoLossType.Hinge, 0.3, 0.0)]
    [InlineData(DpoLossType.Ipo, 0.1, 0.0)]
    [InlineData(DpoLossType.Ipo, 2.0, 0.0)]
    public void Each_loss_equals_its_formula(DpoLossType type, double beta, double eps)
    {
        using var scope = NewDisposeScope();
        var losses = DpoLoss.Compute(type, tensor(_pc), tensor(_pr), tensor(_rc), tensor(_rr), beta, eps).data<float>().ToArray();
        for (int i = 0; i < _pc.Length; i++)
            Assert.Equal(Expected(type, i, beta, eps), losses[i], 4);
    }

    [Fact]
    public void Equal_log_ratios_give_ln2_for_sigmoid()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -4f, -9f });
        var losses = DpoLoss.Compute(DpoLossType.Sigmoid, x, x, x, x, 0.01).data<float>().ToArray();
        Assert.All(losses, l => Assert.Equal(Math.Log(2), l, 6));
    }

    [Theory]
    [InlineData("sigmoid", DpoLossType.Sigmoid)]
    [InlineData("robust", DpoLossType.Robust)]
    [InlineData("hinge", DpoLossType.Hinge)]
    [InlineData("ipo", DpoLossType.Ipo)]
    public void Parses_trl_names(string name, DpoLossType expected) => Assert.Equal(expected, DpoLoss.Parse(name));

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f });
        Assert.Throws<ArgumentException>(() => DpoLoss.Parse("kto"));
        Assert.Throws<ArgumentOutOfRangeException>(() => DpoLoss.Compute(DpoLossType.Sigmoid, x, x, x, x, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DpoLoss.Compute(DpoLossType.Robust, x, x, x, x, 0.1, 0.5));
    }
}
