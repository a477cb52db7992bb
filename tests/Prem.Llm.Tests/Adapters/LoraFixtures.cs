using Prem.Llm.Adapters;
using Prem.Llm.Modeling;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Adapters;

/// <summary>Tiny models with adapters, and their logits.</summary>
internal static class LoraFixtures
{
    public static LoraConfig All(int r = 4, double alpha = 8, LoraInitialization init = LoraInitialization.Default, bool rslora = false, params string[] save) => new()
    {
        R = r, Alpha = alpha, TargetModules = LoraConfig.AllTargets, Initialization = init, UseRslora = rslora, ModulesToSave = save,
    };

    public static Tensor Ids(ulong seed = 7) => TrainingFixtures.RandomIds(2, 9, 48, seed);

    public static float[] Logits(LlamaForCausalLM model, Tensor ids)
    {
        using var noGrad = no_grad();
        using var logits = model.Forward(ids);
        return logits.data<float>().ToArray();
    }
}
