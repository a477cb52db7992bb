using Prem.Llm.Data;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

public class ActivationCheckpointTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Checkpointed_gradients_equal_plain_gradients(bool padded)
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel(seed: 9);
        var ids = TrainingFixtures.RandomIds(2, 10, 48, 17);
        var labels = ids.clone();
        Tensor? mask = null;
        if (padded)
        {
            mask = ones(2, 10, ScalarType.Int64);
            mask[1, TensorIndex.Slice(7)] = tensor(0L);
            labels = ids.masked_fill(mask.eq(0), -100);
        }
        using var batch = new CausalLmBatch(ids.clone(), labels: labels, attentionMask: mask);
        var objective = new CausalLmObjective();
        long units = objective.CountUnits(batch);

        var plainLoss = objective.Compute(model, batch, units).Loss;
        plainLoss.backward();
        var plain = TrainingFixtures.Grads(model);
        TrainingFixtures.ZeroGrads(model);

        ActivationCheckpoint.Enable(model, true);
        Assert.NotNull(model.Model.LayerRunner);
        var ckptLoss = objective.Compute(model, batch, units).Loss;
        ckptLoss.backward();
        var checkpointed = TrainingFixtures.Grads(model);
        ActivationCheckpoint.Enable(model, false);
        Assert.Null(model.Model.LayerRunner);

        Assert.Equal(plainLoss.item<float>(), ckptLoss.item<float>());
        Assert.Equal(plain.Keys.Order(), checkpointed.Keys.Order());
        foreach (var (name, g) in plain) Assert.True(TrainingFixtures.MaxAbsDiff(g, checkpointed[name]) == 0, name);
    }

    [Fact]
    public void Without_gradients_the_layer_runs_directly()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel(seed: 9);
        var ids = TrainingFixtures.RandomIds(1, 6, 48, 2);
        using var noGrad = no_grad();
        var expected = model.forward(ids);
        ActivationCheckpoint.Enable(model, true);
        Assert.True(model.forward(ids).eq(expected).all().item<bool>());
    }

    [Fact]
    public void Checkpointing_keeps_the_sliding_window()
    {
        using var scope = NewDisposeScope();
        var config = Modeling.LlamaForCausalLMTests.TinyConfig() with { ModelType = "mistral", SlidingWindow = 3 };
        using var model = new Prem.Llm.Modeling.LlamaForCausalLM(config, seed: 4);
        var ids = TrainingFixtures.RandomIds(2, 10, 48, 17);
        using var batch = new CausalLmBatch(ids.clone(), labels: ids.clone());
        var objective = new CausalLmObjective();
        long units = objective.CountUnits(batch);
        var plainLoss = objective.Compute(model, batch, units).Loss;
        plainLoss.backward();
        var plain = TrainingFixtures.Grads(model);
        TrainingFixtures.ZeroGrads(model);
        ActivationCheckpoint.Enable(model, true);
        var ckptLoss = objective.Compute(model, batch, units).Loss;
        ckptLoss.backward();
        var checkpointed = TrainingFixtures.Grads(model);
        ActivationCheckpoint.Enable(model, false);
        Assert.Equal(plainLoss.item<float>(), ckptLoss.item<float>());
        foreach (var (name, g) in plain) Assert.True(TrainingFixtures.MaxAbsDiff(g, checkpointed[name]) == 0, name);
        // The window is in effect: without it the same weights give another loss.
        using var full = new Prem.Llm.Modeling.LlamaForCausalLM(config with { SlidingWindow = null }, seed: 4);
        Assert.NotEqual(plainLoss.item<float>(), objective.Compute(full, batch, units).Loss.item<float>());
    }
}
