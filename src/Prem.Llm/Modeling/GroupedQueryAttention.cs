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
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int layerIndex;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;

    /// <summary>Creates layer <paramref name="layerIndex"/>'s attention for <paramref name="config"/>.</summary>
    public GroupedQueryAttention(LlamaConfig config, int layerIndex, IAttentionBackend backend, ScalarType? dtype = null, Device? device = null)
        : base(nameof(GroupedQueryAttention))
    {
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        this.layerIndex = layerIndex;
        Backend = backend;
        q_proj = nn.Linear(config.HiddenSize, heads * headDim, config.AttentionBias, device, dtype);
        k_proj = nn.Linear(config.HiddenSize, kvHeads * headDim, config.AttentionBias, device, dtype);
        v_proj = nn.Linear(config.HiddenSize, kvHeads * headDim, config.AttentionBias, device, dtype);
        o_proj = nn.Linear(heads * headDim, config.HiddenSize, config.AttentionBias, device, dtype);
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
        var q = q_proj.forward(hidden).view(batch, seq, heads, headDim).transpose(1, 2);
        var k = k_proj.forward(hidden).view(batch, seq, kvHeads, headDim).transpose(1, 2);
        var v = v_proj.forward(hidden).view(batch, seq, kvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layerIndex, k, v);

        var attended = Backend.Forward(q.contiguous(), k.contiguous(), v.contiguous(), mask, 1.0 / Math.Sqrt(headDim));
        var merged = attended.transpose(1, 2).reshape(batch, seq, heads * headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }
}
