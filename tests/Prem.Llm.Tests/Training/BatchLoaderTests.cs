using System.Text.Json.Nodes;
using Prem.Llm.Data;
using Prem.Llm.Tests.Data;
using Prem.Llm.Training;
using TorchSharp;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Training;

/// <summary>
/// The one loader over examples: the order (seeded permutation, rank slices, length grouping), epoch
/// boundaries, exact resume positions, and each task's collated batches.
/// </summary>
public class BatchLoaderTests : IDisposable
{
    private const int SeqLen = 8;
    private readonly TempFolder _tmp = new();
    private readonly PackedTokenDataset _ds;

    public BatchLoaderTests()
    {
        PackedTokenDatasetTests.Prepare(_tmp.Path, 60, SeqLen);
        _ds = new PackedTokenDataset(_tmp.Sub("out"));
    }

    public void Dispose()
    {
        _ds.Dispose();
        _tmp.Dispose();
    }

    private BatchLoader<PackedWindow, CausalLmBatch> Packed(BatchLoaderOptions options, bool crossDocumentAttention = false) =>
        new(new PackedWindows(_ds), new PackedWindowCollator { CrossDocumentAttention = crossDocumentAttention }, options);

    private static BatchLoader<SftExample, CausalLmBatch> Sft(SftDataset ds, BatchLoaderOptions options, int padToMultipleOf = 1) =>
        new(ds.Rows, new SftCollator(ds.PadId, padToMultipleOf), options);

    private static BatchLoader<PreferenceExample, PreferenceBatch> Pairs(PreferenceDataset ds, BatchLoaderOptions options) =>
        new(ds.Examples, new PreferenceCollator(ds.PadId), options);

    private sealed record Taken(long[] Inputs, long[] Targets, long[] Docs, long[] Ids, long Epoch, long Step);

    /// <summary>Reads <paramref name="count"/> batches from the loader's position, starting the next epoch when one ends (as the trainer does).</summary>
    private static List<Taken> Take<TExample>(BatchLoader<TExample, CausalLmBatch> loader, long seed, int count)
    {
        var taken = new List<Taken>();
        while (taken.Count < count)
        {
            var at = loader.Position;
            using var b = loader.Next();
            if (b is null)
            {
                loader.StartEpoch((int)at.Epoch + 1, seed);
                continue;
            }
            taken.Add(new Taken(b.InputIds.data<long>().ToArray(), (b.Targets ?? b.Labels)!.data<long>().ToArray(),
                b.DocumentIds?.data<long>().ToArray() ?? [], [.. b.ExampleIds!], at.Epoch, at.Step));
        }
        return taken;
    }

    private static void StartNextEpochAtEnd<TExample, TBatch>(BatchLoader<TExample, TBatch> loader, long seed) where TBatch : TrainingBatch
    {
        if (loader.Position.Step == loader.StepsPerEpoch) loader.StartEpoch((int)loader.Position.Epoch + 1, seed);
    }

    private static List<long[]> Drain(IBatchSource source)
    {
        var seen = new List<long[]>();
        while (source.Next() is { } batch)
            using (batch) seen.Add((batch is PreferenceBatch p ? p.Chosen.InputIds : ((CausalLmBatch)batch).InputIds).data<long>().ToArray());
        return seen;
    }

    [Fact]
    public void Unshuffled_and_shuffled_orders_are_the_hand_computed_permutation_slices()
    {
        // The order the old packed, SFT and preference loaders shared: SeededPermutation of (seed, epoch),
        // global batch s = order[s·G, (s+1)·G), rank r = its slice [r·B, (r+1)·B).
        const int batch = 2, world = 3;
        const long seed = 17;
        int count = (int)_ds.Count;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var perm = SeededPermutation.Create(count, seed, epoch);
            for (int rank = 0; rank < world; rank++)
            {
                var loader = Packed(new BatchLoaderOptions { BatchSize = batch, Rank = rank, WorldSize = world });
                loader.StartEpoch(epoch, seed);
                Assert.Equal(count / (batch * world), loader.StepsPerEpoch);
                for (long step = 0; step < loader.StepsPerEpoch; step++)
                {
                    int first = (int)(step * batch * world) + rank * batch;
                    using var b = loader.Next()!;
                    Assert.Equal(perm[first..(first + batch)].Select(i => (long)i), b.ExampleIds);
                }
                Assert.Null(loader.Next());
            }
        }
        var plain = Packed(new BatchLoaderOptions { BatchSize = 4, Shuffle = false });
        plain.StartEpoch(2, seed);
        Assert.Equal(Enumerable.Range(0, count), plain.Order(2));
    }

    [Fact]
    public void Batches_are_int64_tensors_of_the_dataset_windows()
    {
        var loader = Packed(new BatchLoaderOptions { BatchSize = 4 });
        loader.StartEpoch(0, 1);
        var windows = loader.IndicesAt(loader.Position);
        using var batch = loader.Next()!;
        Assert.Equal([4L, SeqLen], batch.InputIds.shape);
        Assert.Equal(torch.ScalarType.Int64, batch.InputIds.dtype);
        Assert.Equal(torch.ScalarType.Int64, batch.Targets!.dtype);
        Assert.Equal(torch.ScalarType.Int64, batch.DocumentIds!.dtype);
        Assert.Null(batch.Labels);
        Assert.Equal(windows.Select(w => (long)w), batch.ExampleIds);
        var inputs = new long[SeqLen];
        var targets = new long[SeqLen];
        var docs = new long[SeqLen];
        for (int i = 0; i < 4; i++)
        {
            _ds.ReadWindow(windows[i], inputs, targets, docs);
            Assert.Equal(inputs, batch.InputIds[i].data<long>().ToArray());
            Assert.Equal(targets, batch.Targets[i].data<long>().ToArray());
            Assert.Equal(docs, batch.DocumentIds[i].data<long>().ToArray());
        }
    }

    [Fact]
    public void Resuming_at_step_k_yields_the_uninterrupted_batches()
    {
        const long seed = 9;
        var options = new BatchLoaderOptions { BatchSize = 3 };
        var straight = Packed(options);
        straight.StartEpoch(0, seed);
        int perEpoch = (int)straight.StepsPerEpoch, total = perEpoch * 2 + 3;
        var reference = Take(straight, seed, total);
        foreach (int k in (int[])[1, perEpoch - 1, perEpoch + 2])
        {
            var resumed = Packed(options);
            var position = new JsonObject { ["step"] = reference[k].Step, ["global_batch"] = 3 };
            resumed.RestorePosition((int)reference[k].Epoch, seed, JsonNode.Parse(position.ToJsonString())!);
            var rest = Take(resumed, seed, total - k);
            for (int s = k; s < total; s++)
            {
                var b = rest[s - k];
                Assert.Equal(reference[s].Inputs, b.Inputs);
                Assert.Equal(reference[s].Targets, b.Targets);
                Assert.Equal(reference[s].Docs, b.Docs);
                Assert.Equal(reference[s].Ids, b.Ids);
                Assert.Equal((reference[s].Epoch, reference[s].Step), (b.Epoch, b.Step));
            }
        }
    }

    [Fact]
    public void Saved_positions_restore_across_epochs_and_at_an_epoch_end()
    {
        const long seed = 4;
        var options = new BatchLoaderOptions { BatchSize = 5 };
        var straight = Packed(options);
        straight.StartEpoch(0, seed);
        int perEpoch = (int)straight.StepsPerEpoch;
        var saved = new List<(int Epoch, string Position)>();
        var ids = new List<long[]>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            straight.StartEpoch(epoch, seed);
            while (true)
            {
                saved.Add((epoch, straight.SavePosition().ToJsonString()));
                using var b = straight.Next();
                if (b is null) break;
                ids.Add([.. b.ExampleIds!]);
            }
        }
        // Each epoch saved perEpoch + 1 positions, the last one at its end.
        Assert.Equal(3 * (perEpoch + 1), saved.Count);
        for (int i = 0; i < saved.Count; i++)
        {
            var resumed = Packed(options);
            resumed.RestorePosition(saved[i].Epoch, seed, JsonNode.Parse(saved[i].Position)!);
            int epoch = saved[i].Epoch, read = i - epoch; // batches read before this position
            var rest = new List<long[]>();
            while (rest.Count < ids.Count - read)
            {
                using var b = resumed.Next();
                if (b is null) resumed.StartEpoch(++epoch, seed);
                else rest.Add([.. b.ExampleIds!]);
            }
            Assert.Equal(ids.Skip(read), rest);
        }
        Assert.Equal("{\"step\":0,\"global_batch\":5}", saved[0].Position);
    }

    [Fact]
    public void Each_epoch_is_a_new_permutation_of_all_windows()
    {
        var loader = Packed(new BatchLoaderOptions { BatchSize = 1 });
        loader.StartEpoch(0, 3);
        Assert.Equal(_ds.Count, loader.StepsPerEpoch);
        var e0 = Enumerable.Range(0, (int)_ds.Count).Select(s => loader.IndicesAt(new LoaderState(0, s))[0]).ToArray();
        var e1 = Enumerable.Range(0, (int)_ds.Count).Select(s => loader.IndicesAt(new LoaderState(1, s))[0]).ToArray();
        Assert.Equal(Enumerable.Range(0, (int)_ds.Count), e0.Order());
        Assert.Equal(e0.Order(), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(e0, e0.Order());
        var other = Packed(new BatchLoaderOptions { BatchSize = 1 });
        other.StartEpoch(0, 4);
        Assert.NotEqual(e0, Enumerable.Range(0, (int)_ds.Count).Select(s => other.IndicesAt(new LoaderState(0, s))[0]));
    }

    [Fact]
    public void Ranks_split_each_global_batch_without_overlap()
    {
        const int world = 3, batch = 2;
        var global = Packed(new BatchLoaderOptions { BatchSize = batch * world });
        global.StartEpoch(0, 2);
        var ranks = Enumerable.Range(0, world).Select(r => Packed(new BatchLoaderOptions { BatchSize = batch, Rank = r, WorldSize = world })).ToArray();
        foreach (var r in ranks) r.StartEpoch(0, 2);
        Assert.All(ranks, r => Assert.Equal(global.StepsPerEpoch, r.StepsPerEpoch));
        for (int step = 0; step < global.StepsPerEpoch; step++)
        {
            var state = new LoaderState(1, step);
            var parts = ranks.SelectMany(r => r.IndicesAt(state)).ToArray();
            Assert.Equal(global.IndicesAt(state), parts);
            Assert.Equal(parts.Length, parts.Distinct().Count());
        }
    }

    [Fact]
    public void Unshuffled_order_is_the_stream_order_and_an_epoch_ends_after_its_steps()
    {
        var loader = Packed(new BatchLoaderOptions { BatchSize = 2, Shuffle = false });
        Assert.Equal([4, 5], loader.IndicesAt(new LoaderState(0, 2)));
        for (int i = 0; i < loader.StepsPerEpoch; i++) loader.Next()!.Dispose();
        Assert.Equal(new LoaderState(0, loader.StepsPerEpoch), loader.Position);
        Assert.Null(loader.Next());
        loader.StartEpoch(1, 0);
        Assert.Equal(new LoaderState(1, 0), loader.Position);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Packed(new BatchLoaderOptions { BatchSize = 1, Rank = 2, WorldSize = 2 }));
        Assert.Throws<ArgumentException>(() => Packed(new BatchLoaderOptions { BatchSize = (int)_ds.Count + 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Packed(new BatchLoaderOptions { BatchSize = 1 }).IndicesAt(new LoaderState(0, _ds.Count)));
    }

    [Fact]
    public void Packed_loader_resumes_exactly_and_carries_targets_and_document_ids()
    {
        var source = Packed(new BatchLoaderOptions { BatchSize = 2 });
        Assert.Equal(typeof(CausalLmBatch), ((IBatchSource)source).BatchType);
        source.StartEpoch(1, seed: 5);
        using (var first = source.Next()!)
        {
            Assert.NotNull(first.Targets);
            Assert.NotNull(first.DocumentIds);
        }
        var position = source.SavePosition();
        var rest = Drain(source);
        Assert.Equal(source.BatchesPerEpoch - 1, rest.Count);

        var resumed = Packed(new BatchLoaderOptions { BatchSize = 2 });
        resumed.RestorePosition(1, 5, position);
        Assert.Equal(rest, Drain(resumed));

        var other = Packed(new BatchLoaderOptions { BatchSize = 2 }, crossDocumentAttention: true);
        other.StartEpoch(0, 5);
        using var plain = other.Next()!;
        Assert.Null(plain.DocumentIds);
    }

    [Fact]
    public void Sft_batches_are_the_collated_rows_at_each_step()
    {
        var lines = Enumerable.Range(0, 13).Select(i => Messages(("user", "question " + i), ("assistant", string.Join(" ", Enumerable.Repeat("answer", i + 1))))).ToArray();
        var ds = SftDataset.Load(Write(_tmp, "s.jsonl", lines), Tokenizer);
        var loader = Sft(ds, new BatchLoaderOptions { BatchSize = 3 }, padToMultipleOf: 8);
        loader.StartEpoch(0, 4);
        var rows = loader.IndicesAt(loader.Position);
        using var batch = loader.Next()!;
        using var expected = new SftCollator(ds.PadId, 8).Collate(rows.Select(i => ds.Rows[i]).ToList());
        Assert.Equal(expected.InputIds.data<long>().ToArray(), batch.InputIds.data<long>().ToArray());
        Assert.Equal(expected.Labels!.data<long>().ToArray(), batch.Labels!.data<long>().ToArray());
        Assert.Equal(0, batch.InputIds.shape[1] % 8);
        Assert.Equal(new LoaderState(0, 1), loader.Position);
    }

    [Fact]
    public void Sft_resuming_at_step_k_yields_the_uninterrupted_batches()
    {
        var lines = Enumerable.Range(0, 13).Select(i => Messages(("user", "question " + i), ("assistant", string.Join(" ", Enumerable.Repeat("answer", i + 1))))).ToArray();
        var ds = SftDataset.Load(Write(_tmp, "s.jsonl", lines), Tokenizer);
        var options = new BatchLoaderOptions { BatchSize = 2, GroupByLength = true, MegaBatchMultiplier = 2 };
        var straight = Sft(ds, options);
        straight.StartEpoch(0, 9);
        var reference = Take(straight, 9, 14);
        foreach (int k in (int[])[3, 6, 8])
        {
            var resumed = Sft(ds, options);
            resumed.RestorePosition((int)reference[k].Epoch, 9, new JsonObject { ["step"] = reference[k].Step });
            var rest = Take(resumed, 9, 14 - k);
            for (int i = k; i < 14; i++)
            {
                Assert.Equal(reference[i].Inputs, rest[i - k].Inputs);
                Assert.Equal(reference[i].Targets, rest[i - k].Targets);
            }
        }
    }

    [Fact]
    public void Sft_loader_gives_labels_and_mask_per_epoch()
    {
        var lines = Enumerable.Range(0, 7).Select(i => Messages(("user", "question " + i), ("assistant", "answer " + i))).ToArray();
        var dataset = SftDataset.Load(Write(_tmp, "s7.jsonl", lines), Tokenizer);
        var source = Sft(dataset, new BatchLoaderOptions { BatchSize = 2 });
        Assert.Equal(3, source.BatchesPerEpoch);
        source.StartEpoch(0, 1);
        using (var batch = source.Next()!)
        {
            Assert.NotNull(batch.Labels);
            Assert.NotNull(batch.AttentionMask);
        }
        Assert.Equal(2, Drain(source).Count);
        Assert.Null(source.Next());
        source.StartEpoch(1, 1);
        Assert.Equal(3, Drain(source).Count);
    }

    [Fact]
    public void Preference_resuming_at_step_k_yields_the_uninterrupted_batches()
    {
        var lines = Enumerable.Range(0, 9).Select(i =>
            $$"""{"prompt": "q{{i}}", "chosen": "{{string.Join(" ", Enumerable.Repeat("yes", i + 1))}}", "rejected": "no"}""").ToArray();
        var ds = PreferenceDataset.Load(Write(_tmp, "p.jsonl", lines), Tokenizer);
        var options = new BatchLoaderOptions { BatchSize = 2, GroupByLength = true };
        var straight = Pairs(ds, options);
        Assert.Equal(4, straight.StepsPerEpoch);
        straight.StartEpoch(0, 1);
        var reference = new List<(long[] Ids, LoaderState State, string Position)>();
        for (int i = 0; i < 10; i++)
        {
            StartNextEpochAtEnd(straight, 1);
            var state = straight.Position;
            var position = straight.SavePosition().ToJsonString();
            using var b = straight.Next()!;
            Assert.Equal(2, b.PairCount);
            reference.Add((b.Chosen.InputIds.data<long>().ToArray(), state, position));
        }
        var resumed = Pairs(ds, options);
        resumed.RestorePosition((int)reference[5].State.Epoch, 1, JsonNode.Parse(reference[5].Position)!);
        Assert.Equal(reference[5].State, resumed.Position);
        var pairs = resumed.IndicesAt(resumed.Position);
        for (int i = 5; i < 10; i++)
        {
            StartNextEpochAtEnd(resumed, 1);
            using var b = resumed.Next()!;
            Assert.Equal(reference[i].Ids, b.Chosen.InputIds.data<long>().ToArray());
        }
        using var expected = new PreferenceCollator(ds.PadId).Collate(pairs.Select(i => ds.Examples[i]).ToList());
        Assert.Equal(reference[5].Ids, expected.Chosen.InputIds.data<long>().ToArray());
    }

    [Fact]
    public void Preference_loader_splits_chosen_and_rejected_rows()
    {
        var lines = Enumerable.Range(0, 4).Select(i => $$"""{"prompt": "q{{i}}", "chosen": "yes {{i}}", "rejected": "no"}""").ToArray();
        var dataset = PreferenceDataset.Load(Write(_tmp, "p4.jsonl", lines), Tokenizer);
        var source = Pairs(dataset, new BatchLoaderOptions { BatchSize = 2, Shuffle = false });
        Assert.Equal(typeof(PreferenceBatch), ((IBatchSource)source).BatchType);
        source.StartEpoch(0, 0);
        using var batch = source.Next()!;
        using var stacked = new SftCollator(dataset.PadId).Collate(
            [.. dataset.Examples.Take(2).Select(p => Row(p, p.ChosenIds)), .. dataset.Examples.Take(2).Select(p => Row(p, p.RejectedIds))]);
        Assert.Equal(stacked.InputIds.narrow(0, 0, 2).data<long>().ToArray(), batch.Chosen.InputIds.data<long>().ToArray());
        Assert.Equal(stacked.InputIds.narrow(0, 2, 2).data<long>().ToArray(), batch.Rejected.InputIds.data<long>().ToArray());
        Assert.Equal(stacked.Labels!.narrow(0, 2, 2).data<long>().ToArray(), batch.Rejected.Labels!.data<long>().ToArray());
        Assert.Equal([0L, 1L], batch.ExampleIds);
    }

    private static SftExample Row(PreferenceExample pair, int[] response) =>
        new([.. pair.PromptIds, .. response], [.. Enumerable.Repeat(-100, pair.PromptIds.Length), .. response], pair.Source);

    [Fact]
    public void Bad_positions_and_tiny_data_sets_are_errors()
    {
        var lines = new[] { Messages(("user", "q"), ("assistant", "a")) };
        var dataset = SftDataset.Load(Write(_tmp, "one.jsonl", lines), Tokenizer);
        Assert.Throws<ArgumentException>(() => Sft(dataset, new BatchLoaderOptions { BatchSize = 2 }));
        var ok = Sft(dataset, new BatchLoaderOptions { BatchSize = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ok.RestorePosition(0, 0, new JsonObject { ["step"] = 5 }));
        Assert.Throws<ArgumentException>(() => ok.RestorePosition(0, 0, new JsonObject()));
        var ex = Assert.Throws<TrainingException>(() => ok.RestorePosition(0, 0, new JsonObject { ["step"] = 0, ["global_batch"] = 2 }));
        Assert.Contains("global batches of 2", ex.Message);
    }
}
