using Prem.Llm.Adapters;
using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class AdapterReferenceLogProbsTests
{
    [Fact]
    public void Equals_a_separate_copy_of_the_base_model_and_leaves_the_adapters_on()
    {
        using var scope = NewDisposeScope();
        using var policy = TrainingFixtures.TinyModel(seed: 3);
        using var copy = TrainingFixtures.TinyModel(seed: 3);
        using var lora = LoraModel.Apply(policy, new LoraConfig { R = 4, TargetModules = LoraConfig.AllTargets, Initialization = LoraInitialization.Random, ModulesToSave = ["embed_tokens"] }, seed: 1);
        using var batch = PreferenceFixtures.Batch(5, [0, 1, 2]);
        var (cs, cc, rs, rc) = new AdapterReferenceLogProbs(policy).Get(batch);
        var (ecs, ecc, ers, erc) = new ModelReferenceLogProbs(copy).Get(batch);
        Assert.Equal(ecs.data<float>().ToArray(), cs.data<float>().ToArray());
        Assert.Equal(ers.data<float>().ToArray(), rs.data<float>().ToArray());
        Assert.Equal(ecc.data<float>().ToArray(), cc.data<float>().ToArray());
        Assert.Equal(erc.data<float>().ToArray(), rc.data<float>().ToArray());
        Assert.False(cs.requires_grad);
        Assert.True(lora.Enabled);
        // The policy itself (adapters on) differs from its reference.
        var (pcs, _) = SequenceLogProbs.Compute(policy, batch.Chosen);
        Assert.NotEqual(cs.data<float>().ToArray(), pcs.detach().data<float>().ToArray());
    }

    [Fact]
    public void A_model_without_adapters_is_refused()
    {
        using var model = TrainingFixtures.TinyModel(seed: 3);
        var e = Assert.Throws<ArgumentException>(() => new AdapterReferenceLogProbs(model));
        Assert.Contains("no LoRA adapters", e.Message);
    }
}
