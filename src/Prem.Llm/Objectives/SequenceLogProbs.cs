using Prem.Llm.Data;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>Per-row log-probabilities of the labelled tokens, as DPO needs them.</summary>
internal static class SequenceLogProbs
{
    /// <summary>
    /// <see cref="Compute(LlamaForCausalLM, Tensor, Tensor, Tensor?)"/> over the rows of <paramref name="rows"/>,
    /// which must carry <see cref="CausalLmBatch.Labels"/> (a preference batch's chosen or rejected rows).
    /// </summary>
    /// <param name="model">The model in its compute dtype.</param>
    /// <param name="rows">Input ids, labels and attention mask.</param>
    /// <returns>(sums [rows] float32, counts [rows] float32).</returns>
    public static (Tensor Sums, Tensor Counts) Compute(LlamaForCausalLM model, CausalLmBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var labels = rows.Labels ?? throw new ArgumentException("sequence log-probs need rows with labels [rows, seq], not shifted targets.", nameof(rows));
        return Compute(model, rows.InputIds, labels, rows.AttentionMask);
    }

    /// <summary>
    /// For each row of <paramref name="inputIds"/>, the sum over positions with a label ≠ −100 of
    /// log p(label | prefix) (labels HF-style, shifted here), and the number of such positions.
    /// Log-softmax runs in float32 over the labelled rows only.
    /// </summary>
    /// <param name="model">The model in its compute dtype.</param>
    /// <param name="inputIds">[rows, seq] int64.</param>
    /// <param name="labels">[rows, seq] int64, −100 on prompt and padding.</param>
    /// <param name="attentionMask">[rows, seq] padding mask, or null.</param>
    /// <returns>(sums [rows] float32, counts [rows] float32).</returns>
    public static (Tensor Sums, Tensor Counts) Compute(LlamaForCausalLM model, Tensor inputIds, Tensor labels, Tensor? attentionMask)
    {
        if (labels.dim() != 2 || !labels.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"labels must match input_ids [{string.Join(", ", inputIds.shape)}]; got [{string.Join(", ", labels.shape)}].", nameof(labels));
        using var scope = NewDisposeScope();
        long rows = inputIds.shape[0];
        var hidden = model.Model.Forward(inputIds, attentionMask);
        var pad = full(rows, 1, TrainingBatch.IgnoreIndex, ScalarType.Int64, labels.device);
        var targets = cat([labels.narrow(1, 1, labels.shape[1] - 1), pad], 1).reshape(-1);
        var rowOf = arange(rows, dtype: ScalarType.Int64, device: labels.device).unsqueeze(1).expand(labels.shape).reshape(-1);
        var selected = targets.ne(TrainingBatch.IgnoreIndex).nonzero().squeeze(1);
        var h = hidden.reshape(-1, hidden.shape[^1]).index_select(0, selected);
        var t = targets.index_select(0, selected);
        var logits = model.Head(h).to_type(ScalarType.Float32);
        var tokenLogps = logits.log_softmax(1).gather(1, t.unsqueeze(1)).squeeze(1);
        var owner = rowOf.index_select(0, selected);
        var sums = zeros(rows, ScalarType.Float32, labels.device).index_add(0, owner, tokenLogps, 1);
        var counts = zeros(rows, ScalarType.Float32, labels.device).index_add(0, owner, ones_like(tokenLogps), 1);
        return (sums.MoveToOuterDisposeScope(), counts.MoveToOuterDisposeScope());
    }
}
