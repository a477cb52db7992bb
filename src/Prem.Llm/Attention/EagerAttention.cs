using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// Attention written out: scores, mask, softmax in float32, weighted sum. The reference every other
/// backend is checked against; memory grows with queries × keys.
/// </summary>
public sealed class EagerAttention : IAttentionBackend
{
    /// <inheritdoc />
    public string Name => "eager";

    /// <inheritdoc />
    public Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale)
    {
        using var scope = NewDisposeScope();
        var (k, v) = KvHeads.RepeatForQuery(query, key, value);
        long tq = query.shape[2], tk = k.shape[2];

        var scores = matmul(query, k.transpose(2, 3)).mul(scale);
        if (mask.IsCausal || !mask.IsPlain)
        {
            var allowed = mask.ToBoolMask(tq, tk, query.device);
            scores = scores.masked_fill(allowed.logical_not(), double.NegativeInfinity);
        }
        var probs = scores.softmax(-1, ScalarType.Float32).to_type(query.dtype);
        return matmul(probs, v).MoveToOuterDisposeScope();
    }
}
