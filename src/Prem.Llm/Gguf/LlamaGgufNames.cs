using System.Text.RegularExpressions;

namespace Prem.Llm.Gguf;

/// <summary>
/// Tensor names of llama.cpp's <c>llama</c> architecture (gguf-py's <c>TENSOR_NAMES</c>) for the
/// HuggingFace state-dict keys of <c>LlamaForCausalLM</c>, both ways.
/// </summary>
internal static partial class LlamaGgufNames
{
    static readonly (string Hf, string Gguf)[] _layer =
    [
        ("self_attn.q_proj", "attn_q"),
        ("self_attn.k_proj", "attn_k"),
        ("self_attn.v_proj", "attn_v"),
        ("self_attn.o_proj", "attn_output"),
        ("mlp.gate_proj", "ffn_gate"),
        ("mlp.up_proj", "ffn_up"),
        ("mlp.down_proj", "ffn_down"),
        ("input_layernorm", "attn_norm"),
        ("post_attention_layernorm", "ffn_norm"),
    ];

    /// <summary>The GGUF name of an HF key, or null for a key that has none (e.g. <c>rotary_emb.inv_freq</c>).</summary>
    public static string? ToGguf(string hf)
    {
        switch (hf)
        {
            case "model.embed_tokens.weight": return "token_embd.weight";
            case "model.norm.weight": return "output_norm.weight";
            case "lm_head.weight": return "output.weight";
        }
        var m = HfLayer().Match(hf);
        if (!m.Success) return null;
        foreach (var (h, g) in _layer)
            if (m.Groups[2].Value == h) return $"blk.{m.Groups[1].Value}.{g}.{m.Groups[3].Value}";
        return null;
    }

    /// <summary>The HF key of a GGUF tensor name, or null when it is not a <c>llama</c> weight this model has.</summary>
    public static string? ToHf(string gguf)
    {
        switch (gguf)
        {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
        }
        var m = GgufLayer().Match(gguf);
        if (!m.Success) return null;
        foreach (var (h, g) in _layer)
            if (m.Groups[2].Value == g) return $"model.layers.{m.Groups[1].Value}.{h}.{m.Groups[3].Value}";
        return null;
    }

    /// <summary>True for the HF keys whose rows llama.cpp stores permuted for its RoPE (q and k projections).</summary>
    public static bool IsQuery(string hf) => hf.Contains(".self_attn.q_proj.", StringComparison.Ordinal);

    /// <inheritdoc cref="IsQuery"/>
    public static bool IsKey(string hf) => hf.Contains(".self_attn.k_proj.", StringComparison.Ordinal);

    [GeneratedRegex(@"^model\.layers\.(\d+)\.([a-z_]+(?:\.[a-z_]+)?)\.(weight|bias)$")]
    private static partial Regex HfLayer();

    [GeneratedRegex(@"^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$")]
    private static partial Regex GgufLayer();
}
