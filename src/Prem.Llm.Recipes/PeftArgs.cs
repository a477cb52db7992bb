using Prem.Llm.Adapters;

namespace Prem.Llm.Recipes;

/// <summary>
/// TRL's <c>ModelConfig</c> PEFT keys (<c>use_peft</c>, <c>lora_r</c>, <c>lora_alpha</c>, <c>lora_dropout</c>,
/// <c>lora_target_modules</c>, <c>lora_modules_to_save</c>, <c>use_rslora</c>) with TRL's defaults, plus
/// <c>merge_adapter</c>: also write the model with the adapters merged (<c>output_dir/merged</c>).
/// </summary>
internal sealed record PeftArgs
{
    /// <summary>Train LoRA adapters on the frozen model instead of every weight.</summary>
    public bool UsePeft { get; init; }

    /// <summary>lora_r (TRL's default 16).</summary>
    public int R { get; init; } = 16;

    /// <summary>lora_alpha (TRL's default 32).</summary>
    public double Alpha { get; init; } = 32;

    /// <summary>lora_dropout (TRL's default 0.05).</summary>
    public double Dropout { get; init; } = 0.05;

    /// <summary>lora_target_modules; null takes PEFT's Llama default (q_proj, v_proj).</summary>
    public IReadOnlyList<string>? TargetModules { get; init; }

    /// <summary>lora_modules_to_save.</summary>
    public IReadOnlyList<string> ModulesToSave { get; init; } = [];

    /// <summary>use_rslora.</summary>
    public bool UseRslora { get; init; }

    /// <summary>merge_adapter: also export the merged model.</summary>
    public bool MergeAdapter { get; init; }

    /// <summary>The adapters' config for the base model at <paramref name="baseModel"/>.</summary>
    public LoraConfig ToLoraConfig(string? baseModel)
    {
        var d = new LoraConfig();
        return new LoraConfig
        {
            R = R, Alpha = Alpha, Dropout = Dropout, TargetModules = TargetModules ?? d.TargetModules, ModulesToSave = ModulesToSave,
            UseRslora = UseRslora, BaseModelNameOrPath = baseModel,
        };
    }
}
