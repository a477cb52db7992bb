using Prem.Llm.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>One pre-norm decoder block: x + attn(norm(x)), then + mlp(norm(·)).</summary>
public sealed class LlamaDecoderLayer : nn.Module
{
    // State-dict names are HF's (ComponentName), not the fields'.
    [TorchSharp.Utils.ComponentName(Name = "self_attn")]
    private readonly GroupedQueryAttention _self_attn;
    [TorchSharp.Utils.ComponentName(Name = "mlp")]
    private readonly SwiGluMlp _mlp;
    [TorchSharp.Utils.ComponentName(Name = "input_layernorm")]
    private readonly RmsNorm _input_layernorm;
    [TorchSharp.Utils.ComponentName(Name = "post_attention_layernorm")]
    private readonly RmsNorm _post_attention_layernorm;

    /// <summary>Creates layer <paramref name="layerIndex"/>.</summary>
    public LlamaDecoderLayer(LlamaConfig config, int layerIndex, IAttentionBackend backend, ScalarType? dtype = null, Device? device = null)
        : base(nameof(LlamaDecoderLayer))
    {
        _self_attn = new GroupedQueryAttention(config, layerIndex, backend, dtype, device);
        _mlp = new SwiGluMlp(config, dtype, device);
        _input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        _post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        RegisterComponents();
    }

    /// <summary>The layer's attention block.</summary>
    public GroupedQueryAttention Attention => _self_attn;

    /// <summary>[batch, seq, hidden] → [batch, seq, hidden].</summary>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, AttentionMask mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = hidden.add(_self_attn.Forward(_input_layernorm.forward(hidden), cos, sin, mask, cache));
        var output = h.add(_mlp.forward(_post_attention_layernorm.forward(h)));
        return output.MoveToOuterDisposeScope();
    }
}
