using System.Text.Json.Nodes;
using TorchSharp;

namespace Prem.Llm.Modeling;

/// <summary>
/// The shape and numerics of a Llama-family decoder, with HuggingFace's <c>config.json</c> field
/// meanings. Read and write it with <see cref="LlamaConfigJson"/>.
/// </summary>
public sealed record LlamaConfig
{
    /// <summary>Model width (hidden_size).</summary>
    public int HiddenSize { get; init; } = 2048;

    /// <summary>SwiGLU inner width (intermediate_size).</summary>
    public int IntermediateSize { get; init; } = 5632;

    /// <summary>Number of decoder layers (num_hidden_layers).</summary>
    public int NumHiddenLayers { get; init; } = 22;

    /// <summary>Query heads (num_attention_heads).</summary>
    public int NumAttentionHeads { get; init; } = 32;

    /// <summary>Key/value heads (num_key_value_heads); divides <see cref="NumAttentionHeads"/>.</summary>
    public int NumKeyValueHeads { get; init; } = 4;

    /// <summary>Per-head width (head_dim); HF's default is hidden_size / num_attention_heads.</summary>
    public int HeadDim { get; init; } = 64;

    /// <summary>Vocabulary size (vocab_size).</summary>
    public int VocabSize { get; init; } = 32000;

    /// <summary>Longest position the model is configured for (max_position_embeddings).</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>RMSNorm epsilon (rms_norm_eps).</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>RoPE base (rope_theta).</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>RoPE scaling, or null for plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Share the input embedding with the output head (tie_word_embeddings).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Biases on q/k/v/o projections (attention_bias).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Biases on the MLP projections (mlp_bias).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Standard deviation of the normal init (initializer_range).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Beginning-of-sequence id (bos_token_id).</summary>
    public int? BosTokenId { get; init; } = 1;

    /// <summary>End-of-sequence ids (eos_token_id; HF allows one id or a list).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];

    /// <summary>Padding id (pad_token_id).</summary>
    public int? PadTokenId { get; init; }

    /// <summary>Weight dtype as HF names it (torch_dtype / dtype): "float32", "bfloat16" or "float16".</summary>
    public string TorchDtype { get; init; } = "float32";

    /// <summary>HF's <c>model_type</c>: "llama" or "mistral" (the Llama family this library runs).</summary>
    public string ModelType { get; init; } = "llama";

    /// <summary>
    /// Mistral's sliding_window: each token attends to itself and the SlidingWindow − 1 tokens before
    /// it. Null (Llama, and Mistral configs that set it to null) attends to every earlier token.
    /// </summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Fields this library does not interpret, kept so a saved config round-trips.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Extra { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>Number of query heads per KV head.</summary>
    public int GroupSize => NumAttentionHeads / NumKeyValueHeads;

    /// <summary>The TorchSharp dtype of <see cref="TorchDtype"/>.</summary>
    public torch.ScalarType ScalarType => LlamaConfigJson.ParseDtype(TorchDtype, "torch_dtype", null);

    /// <summary>TinyLlama-1.1B / Prem-1B: 22 layers, d 2048, 32 heads, 4 KV heads, 8192 positions.</summary>
    public static LlamaConfig Prem1B { get; } = new() { MaxPositionEmbeddings = 8192, TorchDtype = "bfloat16" };

    /// <summary>Checks every field and their consistency; throws <see cref="LlamaConfigException"/>.</summary>
    public LlamaConfig Validate(string? file = null)
    {
        Positive(HiddenSize, "hidden_size", file);
        Positive(IntermediateSize, "intermediate_size", file);
        Positive(NumHiddenLayers, "num_hidden_layers", file);
        Positive(NumAttentionHeads, "num_attention_heads", file);
        Positive(NumKeyValueHeads, "num_key_value_heads", file);
        Positive(HeadDim, "head_dim", file);
        Positive(VocabSize, "vocab_size", file);
        Positive(MaxPositionEmbeddings, "max_position_embeddings", file);
        if (!LlamaConfigJson.ModelTypes.Contains(ModelType))
            throw new LlamaConfigException("model_type", $"'{ModelType}' is not a Llama-family model (accepted: {string.Join(", ", LlamaConfigJson.ModelTypes)}).", file);
        if (SlidingWindow is int window)
        {
            if (ModelType != "mistral")
                throw new LlamaConfigException("sliding_window", $"{window} is set for model_type '{ModelType}'; only mistral has a sliding window.", file);
            Positive(window, "sliding_window", file);
        }
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new LlamaConfigException("num_key_value_heads",
                $"{NumKeyValueHeads} does not divide num_attention_heads ({NumAttentionHeads}).", file);
        if (HeadDim % 2 != 0)
            throw new LlamaConfigException("head_dim", $"{HeadDim} is odd; RoPE rotates pairs of dimensions.", file);
        if (!(RmsNormEps > 0) || double.IsInfinity(RmsNormEps))
            throw new LlamaConfigException("rms_norm_eps", $"{RmsNormEps} must be a positive number.", file);
        if (!(RopeTheta > 1) || double.IsInfinity(RopeTheta))
            throw new LlamaConfigException("rope_theta", $"{RopeTheta} must be a number greater than 1.", file);
        if (!(InitializerRange >= 0))
            throw new LlamaConfigException("initializer_range", $"{InitializerRange} must be ≥ 0.", file);
        TokenId(BosTokenId, "bos_token_id", file);
        foreach (int eos in EosTokenIds) TokenId(eos, "eos_token_id", file);
        TokenId(PadTokenId, "pad_token_id", file);
        _ = LlamaConfigJson.ParseDtype(TorchDtype, "torch_dtype", file);
        if (RopeScaling is not null) RopeParameters.Validate(RopeScaling, this, file);
        return this;
    }

    void TokenId(int? id, string field, string? file)
    {
        if (id is int v && (v < 0 || v >= VocabSize))
            throw new LlamaConfigException(field, $"{v} is outside the vocabulary [0, {VocabSize}).", file);
    }

    static void Positive(int value, string field, string? file)
    {
        if (value <= 0) throw new LlamaConfigException(field, $"{value} must be a positive integer.", file);
    }
}
