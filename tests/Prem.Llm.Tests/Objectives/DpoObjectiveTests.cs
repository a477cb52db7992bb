using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class DpoObjectiveTests
{
    [Fact]
    public void Policy_equal_to_reference_gives_ln2_and_zero_rewards()
    {
        using var scope = NewDisposeScope();
        using var policy = TrainingFixtures.TinyModel(seed: 3);
        using var reference = TrainingFixtures.TinyModel(seed: 3);
        using var batch = PreferenceFixtures.Batch(5, [0, 1, 2]);
        var objective = new DpoObjective(new ModelReferenceLogProbs(reference), beta: 0.01);
        var result = objective.Compute(policy, batch, 3);
        Assert.Equal(Math.Log(2), result.Loss.item<float>(), 5);
        Assert.Equal(0, result.MetricSums["rewards/chosen"], 6);
        Assert.Equal(0, result.MetricSums["rewards/rejected"], 6);
        Assert.Equal(0, result.MetricSums["rewards/margins"], 6);
        Assert.Equal(0, result.MetricSums["rewards/accuracies"]);
    }

    [Fact]
    public void Metrics_follow_trl_definitions()
    {
        using var scope = NewDisposeScope();
        using var policy = TrainingFixtures.TinyModel(seed: 3);
        using var reference = TrainingFixtures.TinyModel(seed: 4);
        using var batch = PreferenceFixtures.Batch(5, [0, 1, 2]);
        const double beta = 0.5;
        var result = new DpoObjective(new ModelReferenceLogProbs(reference), beta).Compute(policy, batch, 3);

        using var noGrad = no_grad();
        var (pc, _) = SequenceLogProbs.Compute(policy, batch.Chosen.InputIds, batch.Chosen.Labels!, null);
        var (pr, _) = SequenceLogProbs.Compute(policy, batch.Rejected);
        var (rc, _) = SequenceLogProbs.Compute(reference, batch.Chosen.InputIds, batch.Chosen.Labels!, null);
        var (rr, _) = SequenceLogProbs.Compute(reference, batch.Rejected);
        double[] P(Tensor t) => t.data<float>().Select(x => (double)x).ToArray();
        var (a, b, c, d) = (P(pc), P(pr), P(rc), P(rr));
        double chosen = 0, rejected = 0, acc = 0, loss = 0;
        for (int i = 0; i < 3; i++)
        {
            double cr = beta * (a[i] - c[i]), rj = beta * (b[i] - d[i]);
            chosen += cr; rejected += rj; acc += cr > rj ? 1 : 0;
            loss += Math.Log(1 + Math.Exp(-(cr - rj)));
        }
        Assert.Equal(chosen, result.MetricSums["rewards/chosen"], 3);
        Assert.Equal(rejected, result.MetricSums["rewards/rejected"], 3);
        Assert.Equal(chosen - rejected, result.MetricSums["rewards/margins"], 3);
        Assert.Equal(acc, result.MetricSums["rewards/accuracies"]);
        Assert.Equal(a.Sum(), result.MetricSums["logps/chosen"], 2);
        Assert.Equal(b.Sum(), result.MetricSums["logps/rejected"], 2);
        Assert.Equal(loss / 3, result.Loss.item<float>(), 4);
    }

    [Theory]
    [InlineData(DpoLossType.Sigmoid)]
    [InlineData(DpoLossType.Ipo)]
    [InlineData(DpoLossType.Hinge)]
    [InlineData(DpoLossType.Robust)]
    public void Precomputed_reference_gives_the_same_losses_as_the_live_reference(DpoLossType type)
    {
        using var scope = NewDisposeScope();
        using var policy = TrainingFixtures.TinyModel(seed: 3);
        var dir = TrainingFixtures.TempDir();
        var batches = new[] { PreferenceFixtures.Batch(5, [10, 11]), PreferenceFixtures.Batch(9, [12, 13]) };
        CachedReferenceLogProbs cache;
        using (var reference = TrainingFixtures.TinyModel(seed: 4))
        {
            var live = new DpoObjective(new ModelReferenceLogProbs(reference), 0.1, type, type == DpoLossType.Robust ? 0.1 : 0);
            var expected = batches.Select(b => live.Compute(policy, b, 2).Loss.item<float>()).ToArray();
            cache = CachedReferenceLogProbs.Precompute(reference, batches, Path.Combine(dir, "ref.bin"));
            var cached = new DpoObjective(CachedReferenceLogProbs.Load(Path.Combine(dir, "ref.bin")), 0.1, type, type == DpoLossType.Robust ? 0.1 : 0);
            Assert.Equal(expected, batches.Select(b => cached.Compute(policy, b, 2).Loss.item<float>()).ToArray());
        }
        Assert.Equal(4, cache.Count);
        foreach (var b in batches) b.Dispose();
    }

    [Fact]
    public void Loss_has_gradients_for_the_policy_only()
    {
        using var scope = NewDisposeScope();
        using var policy = TrainingFixtures.TinyModel(seed: 3);
        using var reference = TrainingFixtures.TinyModel(seed: 4);
        using var batch = PreferenceFixtures.Batch(5, [0, 1]);
        new DpoObjective(new ModelReferenceLogProbs(reference), 0.1).Compute(policy, batch, 2).Loss.backward();
        Assert.NotEmpty(TrainingFixtures.Grads(policy));
        Assert.Empty(TrainingFixtures.Grads(reference));
        Assert.Equal(2, new DpoObjective(new ModelReferenceLogProbs(reference)).CountUnits(batch));
    }

    [Fact]
    public void A_causal_lm_batch_is_refused_naming_the_preference_batch()
    {
        using var scope = NewDisposeScope();
        using var reference = TrainingFixtures.TinyModel(seed: 3);
        using var lm = TrainingFixtures.LmBatch(TrainingFixtures.RandomIds(2, 6, 48, 1));
        var objective = new DpoObjective(new ModelReferenceLogProbs(reference));
        Assert.Equal(typeof(Prem.Llm.Data.PreferenceBatch), objective.BatchType);
        var ex = Assert.Throws<ArgumentException>(() => objective.CountUnits(lm));
        Assert.Contains("DpoObjective needs a PreferenceBatch; got a CausalLmBatch", ex.Message);
    }
}
