using System.Text.Json.Nodes;

namespace Prem.Llm.Modeling;

/// <summary>
/// A model folder's <c>generation_config.json</c>: the token ids generation stops at and the
/// sampling defaults its authors chose. Null fields were absent (HF's defaults then apply, see
/// <c>SamplingOptions.FromGenerationConfig</c>). Read and write it with <see cref="GenerationConfigJson"/>.
/// </summary>
public sealed record GenerationConfig
{
    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "generation_config.json";

    /// <summary>bos_token_id.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>eos_token_id: one id or a list (e.g. Llama-3 instruct's &lt;|end_of_text|&gt;, &lt;|eom_id|&gt;, &lt;|eot_id|&gt;); empty when absent.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>pad_token_id.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>do_sample: sample (true) or decode greedily (false; HF's default).</summary>
    public bool? DoSample { get; init; }

    /// <summary>temperature (HF's default 1.0).</summary>
    public double? Temperature { get; init; }

    /// <summary>top_p (HF's default 1.0, off).</summary>
    public double? TopP { get; init; }

    /// <summary>top_k (HF's default 50; 0 is off).</summary>
    public int? TopK { get; init; }

    /// <summary>max_new_tokens; wins over <see cref="MaxLength"/>.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>max_length: prompt plus new tokens.</summary>
    public int? MaxLength { get; init; }

    /// <summary>repetition_penalty (1.0 is off).</summary>
    public double? RepetitionPenalty { get; init; }

    /// <summary>Fields this library does not interpret, kept so a saved file round-trips.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Extra { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>Checks ranges, and token ids against <paramref name="vocabSize"/> when given; throws <see cref="LlamaConfigException"/>.</summary>
    public GenerationConfig Validate(string? file = null, int? vocabSize = null)
    {
        TokenId(BosTokenId, "bos_token_id", file, vocabSize);
        foreach (int eos in EosTokenIds) TokenId(eos, "eos_token_id", file, vocabSize);
        TokenId(PadTokenId, "pad_token_id", file, vocabSize);
        if (Temperature is double t && (!(t >= 0) || double.IsInfinity(t)))
            throw new LlamaConfigException("temperature", $"{t} must be a number ≥ 0.", file);
        if (TopP is double p && !(p > 0 && p <= 1))
            throw new LlamaConfigException("top_p", $"{p} must be in (0, 1].", file);
        if (TopK is < 0)
            throw new LlamaConfigException("top_k", $"{TopK} must be ≥ 0.", file);
        if (MaxNewTokens is < 0)
            throw new LlamaConfigException("max_new_tokens", $"{MaxNewTokens} must be ≥ 0.", file);
        if (MaxLength is <= 0)
            throw new LlamaConfigException("max_length", $"{MaxLength} must be a positive integer.", file);
        if (RepetitionPenalty is double r && (!(r > 0) || double.IsInfinity(r)))
            throw new LlamaConfigException("repetition_penalty", $"{r} must be a number > 0.", file);
        return this;
    }

    static void TokenId(int? id, string field, string? file, int? vocabSize)
    {
        if (id is not int v) return;
        if (v < 0) throw new LlamaConfigException(field, $"{v} is not a token id (negative).", file);
        if (vocabSize is int n && v >= n) throw new LlamaConfigException(field, $"{v} is outside the vocabulary [0, {n}).", file);
    }
}
