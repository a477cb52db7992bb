using Prem.Llm.Data;
using Prem.Llm.Objectives;
using Prem.Llm.Tests.Data;
using Prem.Llm.Training;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Training;

/// <summary>The loader adapters: epoch boundaries, exact resume positions, and the batch keys each objective reads.</summary>
public class LoaderBatchSourceTests : IDisposable
{
    readonly TempFolder tmp = new();

    public void Dispose() => tmp.Dispose();

    static List<long[]> Drain(IBatchSource source)
    {
        var seen = new List<long[]>();
        while (source.Next() is { } batch)
            using (batch) seen.Add(batch[batch.Contains(TrainingBatch.InputIds) ? TrainingBatch.InputIds : TrainingBatch.ChosenInputIds].data<long>().ToArray());
        return seen;
    }

    [Fact]
    public void Packed_source_resumes_exactly_and_carries_targets_and_document_ids()
    {
        PackedTokenDatasetTests.Prepare(tmp.Path, 60, 8);
        using var dataset = new PackedTokenDataset(tmp.Sub("out"));
        var source = new PackedBatchSource(dataset, new PackedLoaderOptions { BatchSize = 2 });
        source.StartEpoch(1, seed: 5);
        using (var first = source.Next()!)
        {
            Assert.True(first.Contains(TrainingBatch.Targets));
            Assert.True(first.Contains(TrainingBatch.DocumentIds));
        }
        var position = source.SavePosition();
        var rest = Drain(source);
        Assert.Equal(source.BatchesPerEpoch - 1, rest.Count);

        var resumed = new PackedBatchSource(dataset, new PackedLoaderOptions { BatchSize = 2 });
        resumed.RestorePosition(1, 5, position);
        Assert.Equal(rest, Drain(resumed));

        var other = new PackedBatchSource(dataset, new PackedLoaderOptions { BatchSize = 2 }) { CrossDocumentAttention = true };
        other.StartEpoch(0, 5);
        using var plain = other.Next()!;
        Assert.False(plain.Contains(TrainingBatch.DocumentIds));
    }

    [Fact]
    public void Sft_source_gives_labels_and_mask_per_epoch()
    {
        var lines = Enumerable.Range(0, 7).Select(i => Messages(("user", "question " + i), ("assistant", "answer " + i))).ToArray();
        var dataset = SftDataset.Load(Write(tmp, "s.jsonl", lines), Tokenizer);
        var source = new SftBatchSource(dataset, new ChatLoaderOptions { BatchSize = 2 });
        Assert.Equal(3, source.BatchesPerEpoch);
        source.StartEpoch(0, 1);
        using (var batch = source.Next()!)
        {
            Assert.True(batch.Contains(TrainingBatch.Labels));
            Assert.True(batch.Contains(TrainingBatch.AttentionMask));
        }
        Assert.Equal(2, Drain(source).Count);
        Assert.Null(source.Next());
        source.StartEpoch(1, 1);
        Assert.Equal(3, Drain(source).Count);
    }

    [Fact]
    public void Preference_source_splits_chosen_and_rejected_rows()
    {
        var lines = Enumerable.Range(0, 4).Select(i => $$"""{"prompt": "q{{i}}", "chosen": "yes {{i}}", "rejected": "no"}""").ToArray();
        var dataset = PreferenceDataset.Load(Write(tmp, "p.jsonl", lines), Tokenizer);
        var source = new PreferenceBatchSource(dataset, new ChatLoaderOptions { BatchSize = 2, Shuffle = false });
        source.StartEpoch(0, 0);
        using var batch = source.Next()!;
        var loader = new PreferenceBatchLoader(dataset, new ChatLoaderOptions { BatchSize = 2, Shuffle = false });
        using var stacked = loader.Next();
        Assert.Equal(stacked.InputIds.narrow(0, 0, 2).data<long>().ToArray(), batch[TrainingBatch.ChosenInputIds].data<long>().ToArray());
        Assert.Equal(stacked.InputIds.narrow(0, 2, 2).data<long>().ToArray(), batch[TrainingBatch.RejectedInputIds].data<long>().ToArray());
        Assert.Equal(stacked.Labels.narrow(0, 2, 2).data<long>().ToArray(), batch[TrainingBatch.RejectedLabels].data<long>().ToArray());
        Assert.Equal([0L, 1L], batch.ExampleIds);
    }

    [Fact]
    public void Bad_positions_and_tiny_data_sets_are_errors()
    {
        var lines = new[] { Messages(("user", "q"), ("assistant", "a")) };
        var dataset = SftDataset.Load(Write(tmp, "one.jsonl", lines), Tokenizer);
        Assert.Throws<ArgumentException>(() => new SftBatchSource(dataset, new ChatLoaderOptions { BatchSize = 2 }));
        var ok = new SftBatchSource(dataset, new ChatLoaderOptions { BatchSize = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ok.RestorePosition(0, 0, new System.Text.Json.Nodes.JsonObject { ["step"] = 5 }));
        Assert.Throws<ArgumentException>(() => ok.RestorePosition(0, 0, new System.Text.Json.Nodes.JsonObject()));
    }
}
