using Prem.Llm.Adapters;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// Next-token cross-entropy for pretraining and SFT. Units are trained tokens (targets ≠ −100), so
/// a step's loss is the mean over all trained tokens of the accumulated batch. Only trained rows go
/// through the head, which is fused with the loss and chunked (<see cref="LinearCrossEntropy"/>).
/// Metrics: <c>loss</c> and <c>accuracy</c> (argmax = target) per trained token.
/// </summary>
public sealed class CausalLmObjective : IObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="chunkRows">Rows of float32 logits formed at once.</param>
    public CausalLmObjective(int chunkRows = LinearCrossEntropy.DefaultChunkRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        ChunkRows = chunkRows;
    }

    /// <summary>Rows of float32 logits formed at once.</summary>
    public int ChunkRows { get; }

    /// <inheritdoc />
    public string Name => "causal_lm";

    /// <summary><see cref="CausalLmBatch"/>.</summary>
    public Type BatchType => typeof(CausalLmBatch);

    /// <inheritdoc />
    public long CountUnits(TrainingBatch batch)
    {
        var lm = ObjectiveBatches.Expect<CausalLmBatch>(batch, nameof(CausalLmObjective));
        using var scope = NewDisposeScope();
        return ShiftedTargets(lm).ne(TrainingBatch.IgnoreIndex).sum().item<long>();
    }

    /// <inheritdoc />
    public ObjectiveResult Compute(LlamaForCausalLM model, TrainingBatch batch, long totalUnits)
    {
        var lm = ObjectiveBatches.Expect<CausalLmBatch>(batch, nameof(CausalLmObjective));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalUnits);
        using var scope = NewDisposeScope();
        var hidden = model.Model.Forward(lm.InputIds, lm.AttentionMask, lm.DocumentIds);
        var targets = ShiftedTargets(lm).reshape(-1);
        var flat = hidden.reshape(-1, hidden.shape[^1]);
        var valid = targets.ne(TrainingBatch.IgnoreIndex);
        long trained = valid.sum().item<long>();
        if (trained < targets.shape[0])
        {
            // SFT masks most tokens: only trained rows need the vocabulary-sized head.
            var rows = valid.nonzero().squeeze(1);
            flat = flat.index_select(0, rows);
            targets = targets.index_select(0, rows);
        }
        // LoRA on the head (or a trained copy of it) changes the head's operands, not the fused loss.
        var (headInput, headWeight) = LoraModel.HeadOperands(model, flat);
        var (loss, correct) = LinearCrossEntropy.Compute(headInput, headWeight, targets, 1.0 / totalUnits, ChunkRows);
        double lossValue = loss.item<float>();
        var metrics = new Dictionary<string, double>
        {
            ["loss"] = lossValue * totalUnits,
            ["accuracy"] = correct.item<long>(),
        };
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), metrics);
    }

    /// <summary>
    /// Targets aligned with the inputs: the batch's <see cref="CausalLmBatch.Targets"/> as given, or its
    /// <see cref="CausalLmBatch.Labels"/> shifted left by one with −100 in the last column.
    /// </summary>
    public static Tensor ShiftedTargets(CausalLmBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Targets is { } targets) return targets.alias();
        var labels = batch.Labels!;
        var pad = full(labels.shape[0], 1, TrainingBatch.IgnoreIndex, ScalarType.Int64, labels.device);
        return cat([labels.narrow(1, 1, labels.shape[1] - 1), pad], 1);
    }
}
