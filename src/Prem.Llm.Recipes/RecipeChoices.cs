using Prem.Llm.Objectives;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>The spellings recipes accept for enumerated values (Lightning's, TRL's and HF's names).</summary>
internal static class RecipeChoices
{
    public static readonly IReadOnlyDictionary<string, TrainingPrecision> Precision = new Dictionary<string, TrainingPrecision>(StringComparer.Ordinal)
    {
        ["bf16-mixed"] = TrainingPrecision.Bf16Mixed,
        ["32"] = TrainingPrecision.Float32, ["32-true"] = TrainingPrecision.Float32, ["fp32"] = TrainingPrecision.Float32,
        ["bf16"] = TrainingPrecision.Bf16, ["bf16-true"] = TrainingPrecision.Bf16,
    };

    public static readonly IReadOnlyDictionary<string, Accelerator> Accelerators = new Dictionary<string, Accelerator>(StringComparer.Ordinal)
    {
        ["auto"] = Accelerator.Auto, ["cpu"] = Accelerator.Cpu, ["cuda"] = Accelerator.Cuda, ["gpu"] = Accelerator.Cuda,
    };

    public static readonly IReadOnlyDictionary<string, LearningRateDecay> Decay = new Dictionary<string, LearningRateDecay>(StringComparer.Ordinal)
    {
        ["cosine"] = LearningRateDecay.Cosine, ["linear"] = LearningRateDecay.Linear, ["constant"] = LearningRateDecay.Constant,
    };

    /// <summary>
    /// HF's lr_scheduler_type names as TRL configs spell them. warmup_ratio applies to each but <c>constant</c>
    /// (HF's constant has no warmup); <c>cosine_with_min_lr</c> decays to lr_scheduler_kwargs' min_lr (or min_lr_rate × lr).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, LearningRateDecay> HfScheduler = new Dictionary<string, LearningRateDecay>(StringComparer.Ordinal)
    {
        ["linear"] = LearningRateDecay.Linear, ["cosine"] = LearningRateDecay.Cosine, ["cosine_with_min_lr"] = LearningRateDecay.Cosine,
        ["constant"] = LearningRateDecay.Constant, ["constant_with_warmup"] = LearningRateDecay.Constant,
    };

    public static readonly IReadOnlyDictionary<string, DpoLossType> DpoLoss = new Dictionary<string, DpoLossType>(StringComparer.Ordinal)
    {
        ["sigmoid"] = DpoLossType.Sigmoid, ["ipo"] = DpoLossType.Ipo, ["hinge"] = DpoLossType.Hinge, ["robust"] = DpoLossType.Robust,
    };

    public static readonly IReadOnlyDictionary<string, string> Attention = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["eager"] = "eager", ["sdpa"] = "sdpa", ["flash"] = "flash",
        // The flash kernels' C# CPU reference: for checking a recipe without a GPU (slow).
        ["flash_reference"] = "flash_reference",
        // HF's attn_implementation spellings.
        ["flash_attention_2"] = "flash", ["flash_attention_3"] = "flash",
    };

    public static readonly IReadOnlyDictionary<string, string> Dtype = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["float32"] = "float32", ["bfloat16"] = "bfloat16",
    };

    public static readonly IReadOnlyDictionary<string, bool> Optim = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["adamw_torch"] = true,
    };

    /// <summary>Looks a string up with the same error wording as the typed getters.</summary>
    public static string? Pick(YamlSection section, string key, IReadOnlyDictionary<string, string> choices)
    {
        var boxed = choices.ToDictionary(kv => kv.Key, kv => new Boxed(kv.Value), StringComparer.Ordinal);
        return section.Choice(key, boxed)?.Value;
    }

    public readonly record struct Boxed(string Value);
}
