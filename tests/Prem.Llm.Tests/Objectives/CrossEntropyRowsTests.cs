using Prem.Llm.Data;
using Prem.Llm.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

/// <summary>The fused row kernel against LibTorch's log_softmax, softmax and argmax (float64 references).</summary>
public class CrossEntropyRowsTests
{
    static (Tensor Logits, long[] Targets) Inputs(int rows, int vocab, ScalarType dtype, int seed = 3, double spread = 3)
    {
        var g = new Generator((ulong)seed);
        var logits = randn([rows, vocab], generator: g).mul(spread).to_type(dtype);
        var targets = randint(0, vocab, [rows], dtype: ScalarType.Int64, generator: g).data<long>().ToArray();
        targets[1] = TrainingBatch.IgnoreIndex;
        return (logits, targets);
    }

    static (double Loss, long Correct, Tensor Gradient) Reference(Tensor logits, long[] targets)
    {
        var x = logits.to_type(ScalarType.Float64);
        var t = tensor(targets);
        var valid = t.ne(TrainingBatch.IgnoreIndex);
        var safe = t.masked_fill(valid.logical_not(), 0).unsqueeze(1);
        var rowLoss = x.log_softmax(1).gather(1, safe).squeeze(1).neg().mul(valid);
        long correct = x.argmax(1).eq(t).logical_and(valid).sum().item<long>();
        var gradient = x.softmax(1).scatter_add(1, safe, full(targets.Length, 1, -1.0, ScalarType.Float64)).mul(valid.unsqueeze(1));
        return (rowLoss.sum().item<double>(), correct, gradient);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 7, 40, 1)]
    [InlineData(ScalarType.Float32, 9, 1001, 2)]
    [InlineData(ScalarType.BFloat16, 7, 40, 1)]
    [InlineData(ScalarType.BFloat16, 9, 1001, 2)]
    [InlineData(ScalarType.BFloat16, 16, 32000, 1)]
    public void Loss_accuracy_and_gradient_match_LibTorch(ScalarType dtype, int rows, int vocab, int threads)
    {
        using var scope = NewDisposeScope();
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            var (logits, targets) = Inputs(rows, vocab, dtype);
            var (loss, correct, gradient) = Reference(logits, targets);
            var (actualLoss, actualCorrect) = CrossEntropyRows.Apply(logits, targets, 0, writeGradient: true);
            Assert.Equal(loss, actualLoss, loss * 1e-6);
            Assert.Equal(correct, actualCorrect);
            // The gradient is written in the logits' dtype: within its rounding of the float64 value.
            double tolerance = dtype == ScalarType.BFloat16 ? 1.0 / 256 : 1e-6;
            var error = logits.to_type(ScalarType.Float64).sub(gradient).abs().sub(gradient.abs().mul(tolerance)).max().item<double>();
            Assert.True(error <= 1e-9, $"gradient off by {error:E3} beyond the {dtype} rounding");
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void Without_gradient_the_logits_are_left_alone()
    {
        using var scope = NewDisposeScope();
        var (logits, targets) = Inputs(5, 50, ScalarType.BFloat16);
        var copy = logits.clone();
        CrossEntropyRows.Apply(logits, targets, 0, writeGradient: false);
        Assert.True(logits.equal(copy).all().item<bool>());
    }

    [Fact]
    public void Accuracy_takes_the_first_of_tied_maxima_as_argmax()
    {
        using var scope = NewDisposeScope();
        // Row 0: the target (5) ties with an earlier maximum (2) → not correct, as argmax returns 2.
        // Row 1: the target (2) is the first of the tied maxima → correct.
        var logits = zeros(2, 40);
        logits[0, 2] = tensor(4f); logits[0, 5] = tensor(4f);
        logits[1, 2] = tensor(4f); logits[1, 37] = tensor(4f);
        Assert.Equal(2, logits.argmax(1)[0].item<long>());
        var (_, correct) = CrossEntropyRows.Apply(logits, [5, 2], 0, writeGradient: false);
        Assert.Equal(1, correct);
        Assert.Equal(36, CrossEntropyRows.FirstIndexOf(Enumerable.Range(0, 100).Select(i => i % 36 == 0 && i > 0 ? 9f : 0f).ToArray(), 9f));
        Assert.Equal(-1, CrossEntropyRows.FirstIndexOf(new float[50], float.NaN));
    }

    [Fact]
    public void Probabilities_far_below_float32_range_keep_the_exact_loss()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(1, 64);
        logits[0, 0] = tensor(500f);
        var (loss, _) = CrossEntropyRows.Apply(logits, [7], 0, writeGradient: true);
        // log-sum-exp is 500 + ln(1 + 63e−500): the loss is 500 to float32 precision, not ∞.
        Assert.Equal(500.0, loss, 1e-4);
        Assert.Equal(-1f, logits[0, 7].item<float>());
        Assert.Equal(1f, logits[0, 0].item<float>());
    }

    [Fact]
    public void A_non_finite_logit_makes_the_loss_NaN_and_the_row_incorrect()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(2, 40);
        logits[0, 3] = tensor(float.NaN);
        logits[1, 4] = tensor(1f);
        var (loss, correct) = CrossEntropyRows.Apply(logits, [3, 4], 0, writeGradient: false);
        Assert.True(double.IsNaN(loss));
        Assert.Equal(1, correct);
    }

    [Fact]
    public void Bad_targets_and_tensors_are_rejected_with_the_row()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(3, 10);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropyRows.Apply(logits, [0, 10, 1], 0, true));
        Assert.Contains("row 1", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropyRows.Apply(logits, [0, -2, 1], 0, true));
        Assert.Throws<ArgumentException>(() => CrossEntropyRows.Apply(logits, [0, 1], 0, true));
        Assert.Throws<ArgumentException>(() => CrossEntropyRows.Apply(logits, [0, 1, 2, 3], 2, true));
        Assert.False(CrossEntropyRows.Applies(logits.t()));
        Assert.False(CrossEntropyRows.Applies(zeros(3, 10, ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => CrossEntropyRows.Apply(zeros(3, 10, ScalarType.Float64), [0, 1, 2], 0, true));
    }
}
