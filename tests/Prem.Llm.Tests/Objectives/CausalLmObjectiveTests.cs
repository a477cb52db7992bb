using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class CausalLmObjectiveTests
{
    /// <summary>Independent reference: full logits, HF shift, summed CE over labels ≠ −100.</summary>
    static Tensor PlainLossSum(LlamaForCausalLM model, Tensor ids, Tensor labels)
    {
        var logits = model.forward(ids).to_type(ScalarType.Float32);
        long seq = ids.shape[1];
        var shifted = logits.narrow(1, 0, seq - 1).reshape(-1, logits.shape[2]);
        var targets = labels.narrow(1, 1, seq - 1).reshape(-1);
        return nn.functional.cross_entropy(shifted, targets, ignore_index: -100, reduction: nn.Reduction.Sum);
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 1000)]
    public void Chunked_loss_and_gradients_equal_the_plain_computation(bool tied, int chunkRows)
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel(tied: tied);
        var ids = TrainingFixtures.RandomIds(3, 10, 48, 5);
        var mask = TrainingFixtures.RandomIds(3, 10, 2, 6).eq(1);
        using var batch = TrainingFixtures.LmBatch(ids, mask);
        var objective = new CausalLmObjective(chunkRows);
        long units = objective.CountUnits(batch);
        var result = objective.Compute(model, batch, units);
        result.Loss.backward();
        var fused = TrainingFixtures.Grads(model);
        TrainingFixtures.ZeroGrads(model);

        var plain = PlainLossSum(model, ids, ((CausalLmBatch)batch).Labels!).div(units);
        plain.backward();
        var reference = TrainingFixtures.Grads(model);
        Assert.Equal(plain.item<float>(), result.Loss.item<float>(), 4);
        Assert.Equal(reference.Keys.Order(), fused.Keys.Order());
        foreach (var (name, g) in reference)
            Assert.True(TrainingFixtures.MaxAbsDiff(g, fused[name]) < 2e-5, name);
    }

    [Fact]
    public void Units_are_trained_tokens_after_the_shift()
    {
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 4]);
        var mask = tensor(new[] { true, true, false, true, false, false, true, true }, [2, 4]);
        using var batch = TrainingFixtures.LmBatch(ids, mask);
        // Row 0 trains labels at positions 1 and 3; row 1 at 2 and 3 (position 0 is never a target).
        Assert.Equal(4, new CausalLmObjective().CountUnits(batch));
    }

    [Fact]
    public void Only_trained_targets_contribute()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        var ids = TrainingFixtures.RandomIds(2, 12, 48, 11);
        var mask = TrainingFixtures.RandomIds(2, 12, 2, 12).eq(1);
        var objective = new CausalLmObjective();
        // Two label tensors that agree on trained positions and differ (before masking) elsewhere.
        var other = TrainingFixtures.RandomIds(2, 12, 48, 13);
        var labelsB = ids.where(mask, other).masked_fill(mask.logical_not(), -100);
        using var a = TrainingFixtures.LmBatch(ids, mask);
        using var b = new CausalLmBatch(ids.clone(), labels: labelsB);
        long units = objective.CountUnits(a);
        double la = objective.Compute(model, a, units).Loss.item<float>();
        double lb = objective.Compute(model, b, units).Loss.item<float>();
        Assert.Equal(la, lb);
        // It is the mean over exactly the trained targets, and a trained target does matter.
        Assert.Equal(PlainLossSum(model, ids, a.Labels!).item<float>() / units, la, 4);
        var changed = a.Labels!.clone();
        var firstTrained = mask.reshape(-1).nonzero()[1].item<long>();
        changed.view(-1)[firstTrained] = tensor((ids.view(-1)[firstTrained].item<long>() + 1) % 48);
        using var c = new CausalLmBatch(ids.clone(), labels: changed);
        Assert.NotEqual(la, objective.Compute(model, c, units).Loss.item<float>());
    }

    [Fact]
    public void Accumulated_micro_batches_sum_to_the_mean_over_all_trained_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        var ids = TrainingFixtures.RandomIds(4, 8, 48, 21);
        // Rows 0-1 train many tokens, rows 2-3 few: a mean of micro-batch means would weight them equally.
        var mask = cat([ones(2, 8, ScalarType.Bool), cat([zeros(2, 6, ScalarType.Bool), ones(2, 2, ScalarType.Bool)], 1)], 0);
        var objective = new CausalLmObjective();
        using var whole = TrainingFixtures.LmBatch(ids, mask);
        using var first = TrainingFixtures.LmBatch(ids.narrow(0, 0, 2), mask.narrow(0, 0, 2));
        using var second = TrainingFixtures.LmBatch(ids.narrow(0, 2, 2), mask.narrow(0, 2, 2));
        long total = objective.CountUnits(first) + objective.CountUnits(second);
        Assert.Equal(objective.CountUnits(whole), total);
        double l1 = objective.Compute(model, first, total).Loss.item<float>();
        double l2 = objective.Compute(model, second, total).Loss.item<float>();
        double lw = objective.Compute(model, whole, total).Loss.item<float>();
        Assert.Equal(lw, l1 + l2, 5);
        double meanOfMeans = (objective.Compute(model, first, objective.CountUnits(first)).Loss.item<float>()
            + objective.Compute(model, second, objective.CountUnits(second)).Loss.item<float>()) / 2;
        Assert.True(Math.Abs(meanOfMeans - lw) > 1e-3, "the test data must tell the two rules apart");
    }

    [Fact]
    public void Accuracy_metric_counts_argmax_hits_on_trained_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        var ids = TrainingFixtures.RandomIds(2, 9, 48, 31);
        using var batch = TrainingFixtures.LmBatch(ids);
        var result = new CausalLmObjective().Compute(model, batch, 1);
        var logits = model.forward(ids).narrow(1, 0, 8);
        double hits = logits.argmax(2).eq(ids.narrow(1, 1, 8)).sum().item<long>();
        Assert.Equal(hits, result.MetricSums["accuracy"]);
        Assert.Equal(result.Loss.item<float>(), result.MetricSums["loss"], 4);
    }

    [Fact]
    public void Pre_shifted_targets_equal_shifted_labels()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        var ids = TrainingFixtures.RandomIds(2, 9, 48, 41);
        using var labels = TrainingFixtures.LmBatch(ids);
        var targets = cat([ids.narrow(1, 1, 8), full(2, 1, -100L, ScalarType.Int64)], 1);
        using var shifted = new CausalLmBatch(ids.clone(), targets: targets);
        var objective = new CausalLmObjective();
        Assert.Equal(objective.CountUnits(labels), objective.CountUnits(shifted));
        Assert.Equal(objective.Compute(model, labels, 16).Loss.item<float>(), objective.Compute(model, shifted, 16).Loss.item<float>());
    }

    [Fact]
    public void Missing_labels_name_them()
    {
        using var ids = zeros(1, 4, ScalarType.Int64);
        var ex = Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids));
        Assert.Contains("labels", ex.Message);
    }

    [Fact]
    public void Another_batch_type_is_refused_naming_the_expected_one()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        using var pairs = PreferenceFixtures.Batch(3, [0, 1]);
        var objective = new CausalLmObjective();
        Assert.Equal(typeof(CausalLmBatch), objective.BatchType);
        var ex = Assert.Throws<ArgumentException>(() => objective.CountUnits(pairs));
        Assert.Contains("CausalLmObjective needs a CausalLmBatch; got a PreferenceBatch", ex.Message);
        Assert.Throws<ArgumentException>(() => objective.Compute(model, pairs, 1));
    }
}
