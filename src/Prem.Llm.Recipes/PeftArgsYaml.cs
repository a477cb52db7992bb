using Prem.Llm.Adapters;
using YamlDotNet.RepresentationModel;

namespace Prem.Llm.Recipes;

/// <summary>Reads the PEFT keys of <see cref="PeftArgs"/> from a recipe section, checking each against LoRA's rules.</summary>
internal static class PeftArgsYaml
{
    private static readonly string[] _loraKeys = ["lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "lora_modules_to_save", "use_rslora", "merge_adapter"];

    public static PeftArgs Read(YamlSection s)
    {
        var d = new PeftArgs();
        bool use = s.Bool("use_peft") ?? false;
        int? r = s.Int("lora_r");
        double? alpha = s.Double("lora_alpha"), dropout = s.Double("lora_dropout");
        var targets = Names(s, "lora_target_modules");
        var save = Names(s, "lora_modules_to_save");
        bool? rslora = s.Bool("use_rslora"), merge = s.Bool("merge_adapter");
        if (!use)
        {
            // TRL ignores them silently; a key that does nothing is more likely a forgotten use_peft.
            if (_loraKeys.FirstOrDefault(s.Has) is { } key) throw s.Error(key, "has no effect without use_peft: true");
            return d;
        }
        if (r is <= 0) throw s.Error("lora_r", $"must be a positive integer, got {r}");
        if (alpha is not null && !(alpha > 0 && double.IsFinite(alpha.Value))) throw s.Error("lora_alpha", $"must be positive, got {alpha}");
        if (dropout is not null && !(dropout >= 0 && dropout < 1)) throw s.Error("lora_dropout", $"must be in [0, 1), got {dropout}");
        if (targets is not null)
        {
            if (targets.Count == 1 && targets[0] == "all-linear") targets = [.. LoraConfig.AllLinear];
            if (targets.Count == 0) throw s.Error("lora_target_modules", "names no module");
            if (targets.FirstOrDefault(t => !LoraConfig.AllTargets.Contains(t)) is { } bad)
                throw s.Error("lora_target_modules", $"unknown module \"{bad}\"; expected all-linear or some of {string.Join(", ", LoraConfig.AllTargets)}");
        }
        if (save?.FirstOrDefault(m => !LoraConfig.SavableModules.Contains(m)) is { } unknown)
            throw s.Error("lora_modules_to_save", $"unknown module \"{unknown}\"; expected some of {string.Join(", ", LoraConfig.SavableModules)}");
        if (save is not null && targets is not null && save.FirstOrDefault(targets.Contains) is { } both)
            throw s.Error("lora_modules_to_save", $"\"{both}\" is also in lora_target_modules; pick one");
        return new PeftArgs
        {
            UsePeft = true, R = r ?? d.R, Alpha = alpha ?? d.Alpha, Dropout = dropout ?? d.Dropout, TargetModules = targets,
            ModulesToSave = save ?? [], UseRslora = rslora ?? false, MergeAdapter = merge ?? false,
        };
    }

    /// <summary>A list of module names, or one string of comma-separated names (as <c>--set key=q_proj,v_proj</c> gives).</summary>
    static List<string>? Names(YamlSection s, string key)
    {
        switch (s.Find(key))
        {
            case null: return null;
            case YamlScalarNode scalar when scalar.Value is { } text:
                if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && text is "null" or "~" or "") return null;
                return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            case YamlSequenceNode seq:
                var list = new List<string>();
                foreach (var item in seq.Children)
                    list.Add(item is YamlScalarNode { Value: { } v } ? v : throw s.Error(key, "expected a list of module names"));
                return list;
            default: throw s.Error(key, "expected a list of module names");
        }
    }
}
