using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Evaluation;

/// <summary>
/// <see cref="IPrefixCachingModel"/> over a <see cref="LlamaForCausalLM"/>: the prefix's keys and
/// values stay in a one-row <see cref="KvCache"/>, forked into a batch for each set of continuations.
/// </summary>
public sealed class LlamaPrefixModel(LlamaForCausalLM model, int? maxLength = null) : IPrefixCachingModel
{
    /// <inheritdoc />
    public int MaxLength { get; } = maxLength ?? model.Config.MaxPositionEmbeddings;

    /// <inheritdoc />
    public (IPrefixState State, Tensor Logits) Prefill(Tensor ids)
    {
        using var noGrad = no_grad();
        var cache = model.CreateCache(1, ids.shape[0]);
        var logits = model.Forward(ids.to(model.Device).unsqueeze(0), cache: cache)[0];
        return (new State(cache), logits);
    }

    /// <inheritdoc />
    public Tensor Continue(IPrefixState state, Tensor ids)
    {
        var prefix = ((State)state).Cache;
        using var noGrad = no_grad();
        using var fork = prefix.Fork(ids.shape[0], prefix.Length + ids.shape[1]);
        return model.Forward(ids.to(model.Device), cache: fork);
    }

    sealed class State(KvCache cache) : IPrefixState
    {
        public KvCache Cache { get; } = cache;
        public int Length => (int)Cache.Length;
        public void Dispose() => Cache.Dispose();
    }
}
