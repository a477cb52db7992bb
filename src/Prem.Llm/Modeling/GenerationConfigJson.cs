using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prem.Llm.Modeling;

/// <summary>Reads and writes <see cref="GenerationConfig"/> as HuggingFace <c>generation_config.json</c>.</summary>
public static class GenerationConfigJson
{
    static readonly JsonSerializerOptions _indented = new() { WriteIndented = true };

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    public static GenerationConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Generation config not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The <c>generation_config.json</c> of model folder <paramref name="directory"/>, or null when it has none.</summary>
    public static GenerationConfig? TryLoad(string directory)
    {
        string path = Path.Combine(directory, GenerationConfig.FileName);
        return File.Exists(path) ? Load(path) : null;
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/>.</summary>
    public static void Save(GenerationConfig config, string path) => File.WriteAllText(path, ToJson(config));

    /// <summary>Parses and validates a generation_config.json text; <paramref name="file"/> names it in errors.</summary>
    public static GenerationConfig Parse(string json, string? file = null)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject
                ?? throw new LlamaConfigException("(root)", "generation_config.json must hold a JSON object.", file);
        }
        catch (JsonException e)
        {
            throw new LlamaConfigException("(root)", $"not valid JSON: {e.Message}", file);
        }
        var reader = new FieldReader(root, file);
        var config = new GenerationConfig
        {
            BosTokenId = reader.Int("bos_token_id"),
            EosTokenIds = reader.IntOrList("eos_token_id"),
            PadTokenId = reader.Int("pad_token_id"),
            DoSample = reader.Bool("do_sample"),
            Temperature = reader.Double("temperature"),
            TopP = reader.Double("top_p"),
            TopK = reader.Int("top_k"),
            MaxNewTokens = reader.Int("max_new_tokens"),
            MaxLength = reader.Int("max_length"),
            RepetitionPenalty = reader.Double("repetition_penalty"),
            Extra = reader.Unread(),
        };
        return config.Validate(file);
    }

    /// <summary>The config as HF-style indented JSON: the fields that are set, then the kept extras.</summary>
    public static string ToJson(GenerationConfig config)
    {
        var o = new JsonObject();
        if (config.BosTokenId is int bos) o["bos_token_id"] = bos;
        if (config.EosTokenIds.Count == 1) o["eos_token_id"] = config.EosTokenIds[0];
        else if (config.EosTokenIds.Count > 1) o["eos_token_id"] = new JsonArray(config.EosTokenIds.Select(i => (JsonNode?)i).ToArray());
        if (config.PadTokenId is int pad) o["pad_token_id"] = pad;
        if (config.DoSample is bool sample) o["do_sample"] = sample;
        if (config.Temperature is double t) o["temperature"] = t;
        if (config.TopP is double p) o["top_p"] = p;
        if (config.TopK is int k) o["top_k"] = k;
        if (config.MaxNewTokens is int n) o["max_new_tokens"] = n;
        if (config.MaxLength is int l) o["max_length"] = l;
        if (config.RepetitionPenalty is double r) o["repetition_penalty"] = r;
        foreach (var (key, value) in config.Extra)
            if (!o.ContainsKey(key)) o[key] = value?.DeepClone();
        return o.ToJsonString(_indented);
    }
}
