using Prem.Llm.Data;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

/// <summary>Preference batches: a shared prompt of 4 tokens, responses of 5 tokens, right padding on some rows.</summary>
internal static class PreferenceFixtures
{
    public static PreferenceBatch Batch(ulong seed, long[] exampleIds, int vocab = 48)
    {
        int rows = exampleIds.Length, seq = 10;
        var prompt = TrainingFixtures.RandomIds(rows, 4, vocab, seed);
        var chosen = cat([prompt, TrainingFixtures.RandomIds(rows, 6, vocab, seed + 1)], 1);
        var rejected = cat([prompt, TrainingFixtures.RandomIds(rows, 6, vocab, seed + 2)], 1);
        var positions = arange(seq, dtype: ScalarType.Int64).unsqueeze(0).expand(rows, seq);
        // Row 0 of rejected is padded after 8 tokens.
        var rejectedMask = ones(rows, seq, ScalarType.Int64);
        rejectedMask[0, TensorIndex.Slice(8)] = tensor(0L);
        var chosenMask = ones(rows, seq, ScalarType.Int64);
        var promptPart = positions.lt(4);
        var chosenLabels = chosen.masked_fill(promptPart, -100);
        var rejectedLabels = rejected.masked_fill(promptPart.logical_or(rejectedMask.eq(0)), -100);
        return new PreferenceBatch(new CausalLmBatch(chosen, labels: chosenLabels, attentionMask: chosenMask),
            new CausalLmBatch(rejected, labels: rejectedLabels, attentionMask: rejectedMask), exampleIds);
    }
}
