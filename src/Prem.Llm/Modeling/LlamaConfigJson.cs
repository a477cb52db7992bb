using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Prem.Llm.Modeling;

/// <summary>Reads and writes <see cref="LlamaConfig"/> as HuggingFace <c>config.json</c>.</summary>
public static class LlamaConfigJson
{
    static readonly JsonSerializerOptions _indented = new() { WriteIndented = true };

    /// <summary>The <c>model_type</c> values accepted: the Llama family, whose weights and blocks this library runs.</summary>
    public static IReadOnlyList<string> ModelTypes { get; } = ["llama", "mistral"];

    /// <summary>The <c>architectures</c> entries accepted, per model type (HF's class names).</summary>
    static readonly Dictionary<string, string> _architectures = new(StringComparer.Ordinal)
    {
        ["LlamaForCausalLM"] = "llama", ["LlamaModel"] = "llama",
        ["MistralForCausalLM"] = "mistral", ["MistralModel"] = "mistral",
    };

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    public static LlamaConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model config not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/>.</summary>
    public static void Save(LlamaConfig config, string path) =>
        File.WriteAllText(path, ToJson(config));

    /// <summary>Parses and validates a config.json text; <paramref name="file"/> names it in errors.</summary>
    public static LlamaConfig Parse(string json, string? file = null)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject
                ?? throw new LlamaConfigException("(root)", "config.json must hold a JSON object.", file);
        }
        catch (JsonException e)
        {
            throw new LlamaConfigException("(root)", $"not valid JSON: {e.Message}", file);
        }

        var reader = new FieldReader(root, file);
        string modelType = ReadModelType(reader, file);
        string act = reader.String("hidden_act") ?? "silu";
        if (act != "silu")
            throw new LlamaConfigException("hidden_act", $"\"{act}\" is not supported; Llama uses \"silu\".", file);
        int tp = reader.Int("pretraining_tp") ?? 1;
        if (tp != 1)
            throw new LlamaConfigException("pretraining_tp", $"{tp} is not supported; only 1 (exact matmuls).", file);

        int hidden = reader.Int("hidden_size") ?? throw Missing("hidden_size", file);
        int heads = reader.Int("num_attention_heads") ?? throw Missing("num_attention_heads", file);
        int? headDim = reader.Int("head_dim");
        if (headDim is null && heads > 0 && hidden % heads != 0)
            throw new LlamaConfigException("hidden_size", $"{hidden} is not a multiple of num_attention_heads ({heads}) and head_dim is not given.", file);

        JsonObject? ropeParams = reader.Object("rope_parameters");
        JsonObject? ropeScaling = reader.Object("rope_scaling");
        double ropeTheta = reader.Double("rope_theta")
            ?? (ropeParams is null ? null : new FieldReader(ropeParams, file, "rope_parameters").Double("rope_theta"))
            ?? 10000.0;
        RopeScaling? scaling = RopeParameters.Parse(ropeScaling ?? ropeParams, ropeScaling is null ? "rope_parameters" : "rope_scaling", file);

        var config = new LlamaConfig
        {
            HiddenSize = hidden,
            IntermediateSize = reader.Int("intermediate_size") ?? throw Missing("intermediate_size", file),
            NumHiddenLayers = reader.Int("num_hidden_layers") ?? throw Missing("num_hidden_layers", file),
            NumAttentionHeads = heads,
            NumKeyValueHeads = reader.Int("num_key_value_heads") ?? heads,
            HeadDim = headDim ?? (heads > 0 ? hidden / heads : 0),
            VocabSize = reader.Int("vocab_size") ?? throw Missing("vocab_size", file),
            MaxPositionEmbeddings = reader.Int("max_position_embeddings") ?? 2048,
            RmsNormEps = reader.Double("rms_norm_eps") ?? 1e-6,
            RopeTheta = ropeTheta,
            RopeScaling = scaling,
            TieWordEmbeddings = reader.Bool("tie_word_embeddings") ?? false,
            AttentionBias = reader.Bool("attention_bias") ?? false,
            MlpBias = reader.Bool("mlp_bias") ?? false,
            InitializerRange = reader.Double("initializer_range") ?? 0.02,
            BosTokenId = reader.Int("bos_token_id"),
            EosTokenIds = reader.IntOrList("eos_token_id"),
            PadTokenId = reader.Int("pad_token_id"),
            TorchDtype = reader.String("torch_dtype") ?? reader.String("dtype") ?? "float32",
            ModelType = modelType,
            // HF's LlamaConfig has no sliding_window; only Mistral's is read (a stray one stays in Extra).
            SlidingWindow = modelType == "mistral" ? reader.Int("sliding_window") : null,
            Extra = reader.Unread(),
        };
        return config.Validate(file);
    }

    /// <summary>The config as HF-style indented JSON (known fields first, then the kept extras).</summary>
    public static string ToJson(LlamaConfig config)
    {
        var o = new JsonObject
        {
            ["architectures"] = new JsonArray(config.ModelType == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = config.ModelType,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_hidden_layers"] = config.NumHiddenLayers,
            ["num_attention_heads"] = config.NumAttentionHeads,
            ["num_key_value_heads"] = config.NumKeyValueHeads,
            ["head_dim"] = config.HeadDim,
            ["vocab_size"] = config.VocabSize,
            ["max_position_embeddings"] = config.MaxPositionEmbeddings,
            ["rms_norm_eps"] = config.RmsNormEps,
            ["rope_theta"] = config.RopeTheta,
            ["rope_scaling"] = config.RopeScaling is null ? null : RopeParameters.ToJson(config.RopeScaling),
            ["hidden_act"] = "silu",
            ["attention_bias"] = config.AttentionBias,
            ["mlp_bias"] = config.MlpBias,
            ["initializer_range"] = config.InitializerRange,
            ["pretraining_tp"] = 1,
            ["tie_word_embeddings"] = config.TieWordEmbeddings,
            ["bos_token_id"] = config.BosTokenId,
            ["eos_token_id"] = config.EosTokenIds.Count == 1 ? JsonValue.Create(config.EosTokenIds[0]) : new JsonArray(config.EosTokenIds.Select(i => (JsonNode?)i).ToArray()),
            ["pad_token_id"] = config.PadTokenId,
            ["torch_dtype"] = config.TorchDtype,
        };
        if (config.ModelType == "mistral") o["sliding_window"] = config.SlidingWindow;
        foreach (var (key, value) in config.Extra)
            if (!o.ContainsKey(key)) o[key] = value?.DeepClone();
        return o.ToJsonString(_indented);
    }

    /// <summary>Maps an HF dtype name to TorchSharp's.</summary>
    public static torch.ScalarType ParseDtype(string name, string field, string? file) => name switch
    {
        "float32" or "float" => torch.ScalarType.Float32,
        "bfloat16" => torch.ScalarType.BFloat16,
        "float16" or "half" => torch.ScalarType.Float16,
        _ => throw new LlamaConfigException(field, $"\"{name}\" is not one of float32, bfloat16, float16.", file),
    };

    /// <summary>The HF dtype name of a TorchSharp dtype.</summary>
    public static string DtypeName(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Float16 => "float16",
        _ => throw new ArgumentException($"{dtype} is not a model weight dtype.", nameof(dtype)),
    };

    /// <summary>
    /// model_type, checked against the architectures: both must name the Llama
    /// family, and agree. A config without model_type (older exports) is read as the family its
    /// architectures name, or as llama.
    /// </summary>
    static string ReadModelType(FieldReader reader, string? file)
    {
        string? modelType = reader.String("model_type");
        if (modelType is not null && !ModelTypes.Contains(modelType))
            throw new LlamaConfigException("model_type", $"'{modelType}' is not a Llama-family model (accepted: {string.Join(", ", ModelTypes)}).", file);
        if (reader.Node("architectures") is JsonNode node)
        {
            if (node is not JsonArray list)
                throw new LlamaConfigException("architectures", $"expected a list of class names, got {node.ToJsonString()}.", file);
            for (int i = 0; i < list.Count; i++)
            {
                string? name = list[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                if (name is null)
                    throw new LlamaConfigException($"architectures[{i}]", $"expected a class name, got {list[i]?.ToJsonString() ?? "null"}.", file);
                if (!_architectures.TryGetValue(name, out var family))
                    throw new LlamaConfigException("architectures", $"'{name}' is not a Llama-family model (accepted: {string.Join(", ", _architectures.Keys)}).", file);
                if (modelType is not null && family != modelType)
                    throw new LlamaConfigException("architectures", $"'{name}' is a {family} model but model_type is '{modelType}'.", file);
                modelType ??= family;
            }
        }
        return modelType ?? "llama";
    }

    static LlamaConfigException Missing(string field, string? file) =>
        new(field, "is required but missing.", file);
}
