using Prem.Llm.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Multi-head attention with grouped KV heads: q/k/v/o projections, RoPE on q and k, and a pluggable
/// <see cref="IAttentionBackend"/> for the attention itself.
/// </summary>
public sealed class GroupedQueryAttention : nn.Module
{
    // State-dict names are HF's (ComponentName), not the fields'.
    [TorchSharp.Utils.ComponentName(Name = "q_proj")]
    private readonly Linear _q_proj;
    [TorchSharp.Utils.ComponentName(Name = "k_proj")]
    private readonly Linear _k_proj;
    [TorchSharp.Utils.ComponentName(Name = "v_proj")]
    private readonly Linear _v_proj;
    [TorchSharp.Utils.ComponentName(Name = "o_proj")]
    private readonly Linear _o_proj;
    private readonly int _layerIndex;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    /// <summary>Creates layer <paramref name="layerIndex"/>'s attention for <paramref name="config"/>.</summary>
    public GroupedQueryAttention(LlamaConfig config, int layerIndex, IAttentionBackend backend, ScalarType? dtype = null, Device? device = null)
        : base(nameof(GroupedQueryAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        this._layerIndex = layerIndex;
        Backend = backend;
        _q_proj = WeightInit.Linear(config.HiddenSize, _heads * _headDim, config.AttentionBias, device, dtype);
        _k_proj = WeightInit.Linear(config.HiddenSize, _kvHeads * _headDim, config.AttentionBias, device, dtype);
        _v_proj = WeightInit.Linear(config.HiddenSize, _kvHeads * _headDim, config.AttentionBias, device, dtype);
        _o_proj = WeightInit.Linear(_heads * _headDim, config.HiddenSize, config.AttentionBias, device, dtype);
        RegisterComponents();
    }

    /// <summary>The backend that computes attention; can be swapped between calls.</summary>
    public IAttentionBackend Backend { get; set; }

    /// <summary>
    /// [batch, seq, hidden] → [batch, seq, hidden]. cos/sin come from <see cref="RotaryEmbedding"/>;
    /// with a cache, new keys are appended and all cached keys attended.
    /// </summary>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, AttentionMask mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], seq = hidden.shape[1];
        // call, not forward: the layers' forward hooks (LoRA adapters) run.
        var q = _q_proj.call(hidden).view(batch, seq, _heads, _headDim).transpose(1, 2);
        var k = _k_proj.call(hidden).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        var v = _v_proj.call(hidden).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(_layerIndex, k, v);

        var attended = Backend.Forward(q.contiguous(), k.contiguous(), v.contiguous(), mask, 1.0 / Math.Sqrt(_headDim));
        var merged = attended.transpose(1, 2).reshape(batch, seq, _heads * _headDim);
        return _o_proj.call(merged).MoveToOuterDisposeScope();
    }
}
