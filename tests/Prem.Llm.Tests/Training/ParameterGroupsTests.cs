using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class ParameterGroupsTests
{
    [Fact]
    public void Norms_biases_and_embeddings_are_not_decayed_unless_asked()
    {
        using var model = TrainingFixtures.TinyModel();
        var (decay, noDecay) = ParameterGroups.Split(model);
        Assert.Contains(noDecay, p => p.Name == "model.embed_tokens.weight");
        Assert.Contains(noDecay, p => p.Name == "model.norm.weight");
        Assert.Contains(noDecay, p => p.Name == "model.layers.0.input_layernorm.weight");
        Assert.Contains(decay, p => p.Name == "lm_head.weight");
        Assert.Contains(decay, p => p.Name == "model.layers.1.mlp.down_proj.weight");
        Assert.All(decay, p => Assert.True(p.Param.dim() == 2));
        Assert.Equal(model.parameters().Count(), decay.Count + noDecay.Count);

        var (all, none) = ParameterGroups.Split(model, decayNormsAndBiases: true, decayEmbeddings: true);
        Assert.Empty(none);
        Assert.Equal(decay.Count + noDecay.Count, all.Count);
    }

    [Fact]
    public void Optimizer_gets_the_options_decay()
    {
        using var model = TrainingFixtures.TinyModel();
        using var adam = ParameterGroups.CreateOptimizer(model, new OptimizerOptions { WeightDecay = 0.3, Beta2 = 0.99 });
        Assert.Equal(0.99, adam.Beta2);
        Assert.Equal(0.3, adam.Parameters.Single(p => p.Name == "lm_head.weight").WeightDecay);
        Assert.Equal(0.0, adam.Parameters.Single(p => p.Name == "model.norm.weight").WeightDecay);
    }
}
