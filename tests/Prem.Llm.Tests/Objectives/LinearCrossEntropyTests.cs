using Prem.Llm.Data;
using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class LinearCrossEntropyTests
{
    static (Tensor Hidden, Tensor Weight, Tensor Targets) Inputs(long rows, long width, long vocab, ScalarType dtype = ScalarType.Float32)
    {
        var g = new Generator(7);
        var hidden = randn([rows, width], generator: g).to_type(dtype).requires_grad_(true);
        var weight = randn([vocab, width], generator: g).mul(0.5).to_type(dtype).requires_grad_(true);
        var targets = randint(0, vocab, [rows], dtype: ScalarType.Int64, generator: g);
        targets[3] = tensor(TrainingBatch.IgnoreIndex);
        targets[rows - 1] = tensor(TrainingBatch.IgnoreIndex);
        return (hidden, weight, targets);
    }

    // Float32 runs the fused row kernel; float64 the LibTorch ops it replaces (used off the CPU).
    [Theory]
    [InlineData(1, ScalarType.Float32)]
    [InlineData(5, ScalarType.Float32)]
    [InlineData(64, ScalarType.Float32)]
    [InlineData(5, ScalarType.Float64)]
    public void Loss_and_gradients_equal_plain_cross_entropy(int chunkRows, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(23, 16, 40, dtype);
        double scale = 1.0 / 17;
        var (loss, correct) = LinearCrossEntropy.Compute(hidden, weight, targets, scale, chunkRows);
        loss.backward();
        var gh = hidden.grad!.clone();
        var gw = weight.grad!.clone();
        hidden.grad = null; weight.grad = null;

        var logits = hidden.matmul(weight.t());
        var reference = nn.functional.cross_entropy(logits, targets, ignore_index: -100, reduction: nn.Reduction.Sum).mul(scale);
        reference.backward();
        Assert.Equal(reference.to_type(ScalarType.Float32).item<float>(), loss.item<float>(), 4);
        Assert.True(gh.sub(hidden.grad!).abs().max().to_type(ScalarType.Float64).item<double>() < 1e-5);
        Assert.True(gw.sub(weight.grad!).abs().max().to_type(ScalarType.Float64).item<double>() < 1e-5);

        var valid = targets.ne(-100);
        long expectedCorrect = logits.argmax(1).eq(targets).logical_and(valid).sum().item<long>();
        Assert.Equal(expectedCorrect, correct.item<long>());
    }

    [Fact]
    public void Bf16_inputs_give_float32_loss_close_to_float32()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(20, 16, 40);
        var (h16, w16) = (hidden.detach().to_type(ScalarType.BFloat16).requires_grad_(true), weight.detach().to_type(ScalarType.BFloat16).requires_grad_(true));
        var (loss16, _) = LinearCrossEntropy.Compute(h16, w16, targets, 1.0, 7);
        loss16.backward();
        Assert.Equal(ScalarType.Float32, loss16.dtype);
        Assert.Equal(ScalarType.BFloat16, w16.grad!.dtype);
        var (loss32, _) = LinearCrossEntropy.Compute(hidden, weight, targets, 1.0, 7);
        Assert.True(Math.Abs(loss16.item<float>() - loss32.item<float>()) / loss32.item<float>() < 0.02);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Targets_with_underflowing_probability_keep_the_exact_loss(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(12, 16, 40, dtype);
        // Logit gaps of hundreds: softmax probabilities of most targets underflow float32.
        var big = weight.detach().mul(60).requires_grad_(true);
        var (loss, _) = LinearCrossEntropy.Compute(hidden, big, targets, 1.0, 5);
        var reference = nn.functional.cross_entropy(hidden.matmul(big.t()), targets, ignore_index: -100, reduction: nn.Reduction.Sum);
        double expected = reference.to_type(ScalarType.Float64).item<double>();
        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.True(expected > 1000);
        Assert.Equal(1.0, loss.item<float>() / expected, 5);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void No_rows_give_zero_loss_and_zero_gradients(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var hidden = zeros(0, 8, dtype).requires_grad_(true);
        var weight = randn(12, 8).to_type(dtype).requires_grad_(true);
        var (loss, correct) = LinearCrossEntropy.Compute(hidden, weight, zeros(0, ScalarType.Int64), 1.0);
        loss.backward();
        Assert.Equal(0f, loss.item<float>());
        Assert.Equal(0, correct.item<long>());
        Assert.Equal(0f, weight.grad!.abs().sum().to_type(ScalarType.Float32).item<float>());
    }

    [Fact]
    public void Without_grad_mode_no_graph_is_built()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(9, 8, 12);
        using var noGrad = no_grad();
        var (loss, _) = LinearCrossEntropy.Compute(hidden, weight, targets, 1.0);
        Assert.False(loss.requires_grad);
    }

    [Fact]
    public void A_target_outside_the_vocabulary_is_an_error_naming_its_row()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(9, 8, 12);
        targets[7] = tensor(12L);
        // Row 7 of the batch is row 2 of the second 5-row chunk: the message names the batch's row.
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LinearCrossEntropy.Compute(hidden, weight, targets, 1.0, 5));
        Assert.Contains("Target 12 at row 7", ex.Message);
    }

    [Fact]
    public void Shape_errors_name_the_argument()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, _) = Inputs(9, 8, 12);
        var ex = Assert.Throws<ArgumentException>(() => LinearCrossEntropy.Compute(hidden, weight, zeros(4, ScalarType.Int64), 1.0));
        Assert.Equal("targets", ex.ParamName);
        Assert.Throws<ArgumentException>(() => LinearCrossEntropy.Compute(hidden, weight.t(), zeros(9, ScalarType.Int64), 1.0));
    }
}
