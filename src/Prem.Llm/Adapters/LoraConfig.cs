namespace Prem.Llm.Adapters;

/// <summary>
/// A LoRA adapter's settings, with PEFT's names and defaults (<c>LoraConfig</c>): rank <see cref="R"/>,
/// <see cref="Alpha"/> (scaling α/r, or α/√r with <see cref="UseRslora"/>), dropout on the adapter's
/// input, the linear layers it targets by their last name (<c>q_proj</c>… <c>lm_head</c>) and the
/// modules trained in full and saved with it (<see cref="ModulesToSave"/>). Stored as
/// <c>adapter_config.json</c>.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>Every linear layer of a Llama decoder layer, plus the output head.</summary>
    public static IReadOnlyList<string> AllTargets { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"];

    /// <summary>PEFT's <c>"all-linear"</c>: every linear layer except the output head.</summary>
    public static IReadOnlyList<string> AllLinear { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>The modules that <see cref="ModulesToSave"/> may name.</summary>
    public static IReadOnlyList<string> SavableModules { get; } = ["embed_tokens", "lm_head"];

    /// <summary>Rank r (PEFT's <c>r</c>, default 8).</summary>
    public int R { get; init; } = 8;

    /// <summary>α (PEFT's <c>lora_alpha</c>, default 8).</summary>
    public double Alpha { get; init; } = 8;

    /// <summary>Dropout probability on the adapter's input (PEFT's <c>lora_dropout</c>, default 0).</summary>
    public double Dropout { get; init; }

    /// <summary>Targeted linear layers by last name (PEFT's <c>target_modules</c>; its Llama default is q_proj and v_proj).</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];

    /// <summary>Modules copied, trained in full and saved with the adapter (<c>embed_tokens</c>, <c>lm_head</c>).</summary>
    public IReadOnlyList<string> ModulesToSave { get; init; } = [];

    /// <summary>rsLoRA: scale by α/√r instead of α/r (PEFT's <c>use_rslora</c>).</summary>
    public bool UseRslora { get; init; }

    /// <summary>How A and B start (PEFT's <c>init_lora_weights</c>).</summary>
    public LoraInitialization Initialization { get; init; } = LoraInitialization.Default;

    /// <summary>The base model's name or folder, written to <c>base_model_name_or_path</c>.</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The factor of the adapter's output: α/r, or α/√r with rsLoRA.</summary>
    public double Scaling => UseRslora ? Alpha / Math.Sqrt(R) : Alpha / R;

    /// <summary>Checks the values and returns this config.</summary>
    /// <exception cref="LoraException">A value is out of range or names an unknown module; the message names the field.</exception>
    public LoraConfig Validate()
    {
        if (R <= 0) throw new LoraException($"r must be a positive integer; got {R}.");
        if (!double.IsFinite(Alpha) || Alpha <= 0) throw new LoraException($"lora_alpha must be positive; got {Alpha}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new LoraException($"lora_dropout must be in [0, 1); got {Dropout}.");
        if (TargetModules is null || TargetModules.Count == 0) throw new LoraException("target_modules is empty: name at least one of " + string.Join(", ", AllTargets) + ".");
        foreach (var t in TargetModules)
            if (!AllTargets.Contains(t)) throw new LoraException($"target_modules: unknown module '{t}'; expected some of {string.Join(", ", AllTargets)}.");
        if (TargetModules.Distinct().Count() != TargetModules.Count) throw new LoraException("target_modules names a module twice.");
        foreach (var m in ModulesToSave ?? [])
        {
            if (!SavableModules.Contains(m)) throw new LoraException($"modules_to_save: unknown module '{m}'; expected some of {string.Join(", ", SavableModules)}.");
            if (TargetModules.Contains(m)) throw new LoraException($"'{m}' is both in target_modules and in modules_to_save; pick one.");
        }
        if ((ModulesToSave ?? []).Distinct().Count() != (ModulesToSave ?? []).Count) throw new LoraException("modules_to_save names a module twice.");
        if (!Enum.IsDefined(Initialization)) throw new LoraException($"init_lora_weights: unknown value {Initialization}.");
        return this;
    }
}
