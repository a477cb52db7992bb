using Prem.Llm.Data;
using Prem.Llm.Objectives;

namespace Prem.Llm.Training;

/// <summary>Pretraining batches from prepared token shards: input ids, shifted targets and document ids.</summary>
public sealed class PackedBatchSource(PackedTokenDataset dataset, PackedLoaderOptions options)
    : LoaderBatchSource(new PackedBatchLoader(dataset, options).StepsPerEpoch, options.Rank, options.WorldSize, (long)options.BatchSize * options.WorldSize)
{
    PackedBatchLoader? loader;

    /// <summary>Attend across documents of a packed row (false: the model's packed mode keeps documents apart).</summary>
    public bool CrossDocumentAttention { get; init; }

    /// <inheritdoc />
    protected override void Open(long seed, LoaderState state) =>
        loader = new PackedBatchLoader(dataset, options with { Seed = seed }, state);

    /// <inheritdoc />
    protected override TrainingBatch Read()
    {
        long[] windowIds = loader!.WindowsAt(loader.State);
        var batch = loader.Next();
        var tensors = new Dictionary<string, TorchSharp.torch.Tensor>
        {
            [TrainingBatch.InputIds] = batch.InputIds,
            [TrainingBatch.Targets] = batch.Targets,
        };
        if (CrossDocumentAttention) batch.DocumentIds.Dispose();
        else tensors[TrainingBatch.DocumentIds] = batch.DocumentIds;
        return new TrainingBatch(tensors, windowIds);
    }
}
