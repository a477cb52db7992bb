using Prem.Llm.Data;
using Prem.Llm.Objectives;

namespace Prem.Llm.Training;

/// <summary>DPO batches: chosen and rejected rows, each with ids, response-only labels and attention mask.</summary>
public sealed class PreferenceBatchSource(PreferenceDataset dataset, ChatLoaderOptions options)
    : LoaderBatchSource(new PreferenceBatchLoader(dataset, options).StepsPerEpoch, options.Rank, options.WorldSize, (long)options.BatchSize * options.WorldSize)
{
    PreferenceBatchLoader? loader;

    /// <inheritdoc />
    protected override void Open(long seed, LoaderState state) =>
        loader = new PreferenceBatchLoader(dataset, options with { Seed = seed }, state);

    /// <inheritdoc />
    protected override TrainingBatch Read()
    {
        // Pair indices identify the examples, e.g. for reference log-probs cached on disk.
        long[] pairIds = [.. loader!.PairsAt(loader.State).Select(i => (long)i)];
        using var batch = loader.Next();
        int pairs = batch.PairCount;
        // The loader stacks chosen rows first, then rejected: split them back into the objective's names.
        return new TrainingBatch(new Dictionary<string, TorchSharp.torch.Tensor>
        {
            [TrainingBatch.ChosenInputIds] = batch.InputIds.narrow(0, 0, pairs).clone(),
            [TrainingBatch.ChosenLabels] = batch.Labels.narrow(0, 0, pairs).clone(),
            [TrainingBatch.ChosenAttentionMask] = batch.AttentionMask.narrow(0, 0, pairs).clone(),
            [TrainingBatch.RejectedInputIds] = batch.InputIds.narrow(0, pairs, pairs).clone(),
            [TrainingBatch.RejectedLabels] = batch.Labels.narrow(0, pairs, pairs).clone(),
            [TrainingBatch.RejectedAttentionMask] = batch.AttentionMask.narrow(0, pairs, pairs).clone(),
        }, pairIds);
    }
}
