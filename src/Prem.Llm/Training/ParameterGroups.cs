using Prem.Llm.Modeling;
using TorchSharp.Modules;

namespace Prem.Llm.Training;

/// <summary>
/// Splits a model's parameters into AdamW's decay and no-decay groups as nanoGPT and HF do: matrices
/// decay; norm weights and biases (1-d) and the token embedding do not, unless asked.
/// </summary>
internal static class ParameterGroups
{
    /// <summary>(decayed, not decayed) named parameters of <paramref name="model"/>.</summary>
    public static (List<(string Name, Parameter Param)> Decay, List<(string Name, Parameter Param)> NoDecay) Split(
        LlamaForCausalLM model, bool decayNormsAndBiases = false, bool decayEmbeddings = false)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            bool embedding = name.Contains("embed_tokens", StringComparison.Ordinal);
            bool vector = p.dim() < 2;
            bool decays = embedding ? decayEmbeddings : !vector || decayNormsAndBiases;
            (decays ? decay : noDecay).Add((name, p));
        }
        return (decay, noDecay);
    }

    /// <summary>AdamW over <paramref name="model"/> configured from <paramref name="options"/>.</summary>
    public static AdamW CreateOptimizer(LlamaForCausalLM model, OptimizerOptions options)
    {
        var (decay, noDecay) = Split(model, options.DecayNormsAndBiases, options.DecayEmbeddings);
        return new AdamW([(decay, options.WeightDecay), (noDecay, 0.0)], options.Beta1, options.Beta2, options.Epsilon);
    }
}
