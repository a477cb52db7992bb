using Prem.Llm.Data;
using Prem.Llm.Objectives;

namespace Prem.Llm.Training;

/// <summary>Chat fine-tuning batches: right-padded ids, assistant-only labels, attention mask (and document ids when packed).</summary>
public sealed class SftBatchSource(SftDataset dataset, ChatLoaderOptions options)
    : LoaderBatchSource(new SftBatchLoader(dataset, options).StepsPerEpoch, options.Rank, options.WorldSize, (long)options.BatchSize * options.WorldSize)
{
    SftBatchLoader? loader;

    /// <inheritdoc />
    protected override void Open(long seed, LoaderState state) =>
        loader = new SftBatchLoader(dataset, options with { Seed = seed }, state);

    /// <inheritdoc />
    protected override TrainingBatch Read()
    {
        long[] rowIds = [.. loader!.RowsAt(loader.State).Select(i => (long)i)];
        var batch = loader.Next();
        var tensors = new Dictionary<string, TorchSharp.torch.Tensor>
        {
            [TrainingBatch.InputIds] = batch.InputIds,
            [TrainingBatch.Labels] = batch.Labels,
            [TrainingBatch.AttentionMask] = batch.AttentionMask,
        };
        if (batch.DocumentIds is not null) tensors[TrainingBatch.DocumentIds] = batch.DocumentIds;
        return new TrainingBatch(tensors, rowIds);
    }
}
