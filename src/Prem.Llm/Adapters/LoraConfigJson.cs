using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prem.Llm.Checkpoints;

namespace Prem.Llm.Adapters;

/// <summary>
/// <see cref="LoraConfig"/> ↔ PEFT's <c>adapter_config.json</c>. Writes the fields PEFT writes for a
/// plain LoRA adapter; reads PEFT's files and refuses, naming the field, what this implementation does
/// not do (DoRA, biases, per-layer ranks, fan_in_fan_out, regex targets…) rather than loading it wrong.
/// </summary>
internal static class LoraConfigJson
{
    /// <summary>The file name.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>The JSON PEFT would write for <paramref name="config"/>.</summary>
    public static string ToJson(LoraConfig config)
    {
        config.Validate();
        var obj = new JsonObject
        {
            ["alpha_pattern"] = new JsonObject(),
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = config.BaseModelNameOrPath,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = config.Initialization switch
            {
                LoraInitialization.Gaussian => JsonValue.Create("gaussian"),
                LoraInitialization.Random => JsonValue.Create(false),
                _ => JsonValue.Create(true),
            },
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = Number(config.Alpha),
            ["lora_dropout"] = config.Dropout,
            ["modules_to_save"] = config.ModulesToSave.Count == 0 ? null : new JsonArray(config.ModulesToSave.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["peft_type"] = "LORA",
            ["r"] = config.R,
            ["rank_pattern"] = new JsonObject(),
            ["revision"] = null,
            ["target_modules"] = new JsonArray(config.TargetModules.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["task_type"] = "CAUSAL_LM",
            ["use_dora"] = false,
            ["use_rslora"] = config.UseRslora,
        };
        return obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(LoraConfig config, string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(ToJson(config) + "\n");
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="LoraException">The file is missing, not JSON, or a field is wrong or unsupported.</exception>
    public static LoraConfig Load(string path)
    {
        if (!File.Exists(path)) throw new LoraException("adapter_config.json not found.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses an adapter_config.json text; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="LoraException">Not JSON, or a field is wrong or unsupported.</exception>
    public static LoraConfig Parse(string json, string? file = null)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                ?? throw new LoraException("expected a JSON object.", file);
            // JsonObject finds repeated keys only when its dictionary is first built: build it here.
            _ = obj.ContainsKey("peft_type");
        }
        catch (JsonException e) { throw new LoraException($"not valid JSON: {e.Message}", file); }
        catch (ArgumentException e) { throw new LoraException($"not valid JSON: {e.Message}", file); }

        string peftType = String(obj, "peft_type", file) ?? throw new LoraException("peft_type is missing; expected \"LORA\".", file);
        if (peftType != "LORA") throw new LoraException($"peft_type is \"{peftType}\"; only LORA adapters are supported.", file);
        if (String(obj, "task_type", file) is { } task && task != "CAUSAL_LM")
            throw new LoraException($"task_type is \"{task}\"; expected CAUSAL_LM.", file);
        if (String(obj, "bias", file) is { } bias && bias != "none")
            throw new LoraException($"bias is \"{bias}\"; only \"none\" is supported.", file);
        foreach (var flag in new[] { "fan_in_fan_out", "use_dora", "lora_bias" })
            if (Bool(obj, flag, file) == true) throw new LoraException($"{flag} is true; this implementation supports only false.", file);
        foreach (var pattern in new[] { "rank_pattern", "alpha_pattern" })
            if (obj[pattern] is JsonObject { Count: > 0 }) throw new LoraException($"{pattern} is not empty; per-layer ranks and alphas are not supported.", file);
        foreach (var field in new[] { "layers_to_transform", "layers_pattern", "layer_replication", "trainable_token_indices", "target_parameters", "exclude_modules" })
            if (obj[field] is { } node && node is not JsonArray { Count: 0 })
                throw new LoraException($"{field} is set ({Short(node)}); it is not supported.", file);

        int r = Int(obj, "r", file) ?? 8;
        double alpha = Double(obj, "lora_alpha", file) ?? 8;
        double dropout = Double(obj, "lora_dropout", file) ?? 0;
        var targets = Targets(obj, file);
        var save = obj["modules_to_save"] switch
        {
            null => [],
            JsonArray a => Strings(a, "modules_to_save", file),
            var n => throw new LoraException($"modules_to_save: expected a list of module names, got {Short(n)}.", file),
        };
        var init = obj["init_lora_weights"] switch
        {
            null => LoraInitialization.Default,
            JsonValue v when v.GetValueKind() == JsonValueKind.True => LoraInitialization.Default,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => LoraInitialization.Random,
            JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "gaussian" => LoraInitialization.Gaussian,
            var n => throw new LoraException($"init_lora_weights is {Short(n)}; supported: true, false, \"gaussian\".", file),
        };
        var config = new LoraConfig
        {
            R = r, Alpha = alpha, Dropout = dropout, TargetModules = targets, ModulesToSave = save,
            UseRslora = Bool(obj, "use_rslora", file) ?? false, Initialization = init,
            BaseModelNameOrPath = String(obj, "base_model_name_or_path", file),
        };
        try { return config.Validate(); }
        catch (LoraException e) { throw new LoraException(e.Message, file); }
    }

    private static List<string> Targets(JsonObject obj, string? file)
    {
        switch (obj["target_modules"])
        {
            case null: throw new LoraException("target_modules is missing.", file);
            case JsonArray a:
                // PEFT also accepts full module paths ending in the name (model.layers.0.self_attn.q_proj) only
                // for single layers; every layer is adapted here, so accept bare names only.
                return Strings(a, "target_modules", file);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string s = v.GetValue<string>();
                if (s == "all-linear") return [.. LoraConfig.AllLinear];
                if (LoraConfig.AllTargets.Contains(s)) return [s];
                throw new LoraException($"target_modules is the pattern \"{Short(v)}\"; regular expressions are not supported, give a list of module names.", file);
            case var n: throw new LoraException($"target_modules: expected a list of module names, got {Short(n)}.", file);
        }
    }

    private static List<string> Strings(JsonArray a, string field, string? file)
    {
        var list = new List<string>();
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String) list.Add(v.GetValue<string>());
            else throw new LoraException($"{field}[{i}]: expected a module name, got {Short(a[i])}.", file);
        }
        // PEFT stores target_modules as a set: order carries no meaning, so keep the canonical one.
        return list;
    }

    private static JsonValue? Value(JsonObject obj, string key, string? file) => obj[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        JsonValue v => v,
        var n => throw new LoraException($"{key}: expected a value, got {Short(n)}.", file),
    };

    private static string? String(JsonObject obj, string key, string? file) =>
        Value(obj, key, file) is not { } v ? null
        : v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
        : throw new LoraException($"{key}: expected a string, got {Short(v)}.", file);

    private static bool? Bool(JsonObject obj, string key, string? file) =>
        Value(obj, key, file) is not { } v ? null
        : v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>()
        : throw new LoraException($"{key}: expected true or false, got {Short(v)}.", file);

    private static double? Double(JsonObject obj, string key, string? file)
    {
        if (Value(obj, key, file) is not { } v) return null;
        if (v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is var d && double.IsFinite(d)) return d;
        throw new LoraException($"{key}: expected a number, got {Short(v)}.", file);
    }

    private static int? Int(JsonObject obj, string key, string? file)
    {
        if (Double(obj, key, file) is not { } d) return null;
        if (d == Math.Floor(d) && d >= 1 && d <= int.MaxValue) return (int)d;
        throw new LoraException($"{key}: expected a positive integer, got {d.ToString(CultureInfo.InvariantCulture)}.", file);
    }

    private static JsonNode Number(double x) =>
        x == Math.Floor(x) && Math.Abs(x) < int.MaxValue ? JsonValue.Create((int)x) : JsonValue.Create(x);

    private static string Short(JsonNode? n)
    {
        string s = n?.ToJsonString() ?? "null";
        return s.Length <= 80 ? s : s[..80] + "…";
    }
}
