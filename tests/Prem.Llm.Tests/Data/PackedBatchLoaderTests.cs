using Prem.Llm.Data;
using TorchSharp;

namespace Prem.Llm.Tests.Data;

public class PackedBatchLoaderTests : IDisposable
{
    private const int SeqLen = 8;
    private readonly TempFolder _tmp = new();
    private readonly PackedTokenDataset _ds;

    public PackedBatchLoaderTests()
    {
        PackedTokenDatasetTests.Prepare(_tmp.Path, 60, SeqLen);
        _ds = new PackedTokenDataset(_tmp.Sub("out"));
    }

    public void Dispose()
    {
        _ds.Dispose();
        _tmp.Dispose();
    }

    private static (long[] Inputs, long[] Targets, long[] Docs, LoaderState State) Take(PackedBatchLoader loader)
    {
        using var b = loader.Next();
        return (b.InputIds.data<long>().ToArray(), b.Targets.data<long>().ToArray(), b.DocumentIds.data<long>().ToArray(), b.State);
    }

    [Fact]
    public void Batches_are_int64_tensors_of_the_dataset_windows()
    {
        var loader = new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = 4, Seed = 1 });
        var windows = loader.WindowsAt(loader.State);
        using var batch = loader.Next();
        Assert.Equal([4L, SeqLen], batch.InputIds.shape);
        Assert.Equal(torch.ScalarType.Int64, batch.InputIds.dtype);
        Assert.Equal(torch.ScalarType.Int64, batch.Targets.dtype);
        Assert.Equal(torch.ScalarType.Int64, batch.DocumentIds.dtype);
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
        var options = new PackedLoaderOptions { BatchSize = 3, Seed = 9 };
        var straight = new PackedBatchLoader(_ds, options);
        int total = (int)straight.StepsPerEpoch * 2 + 3;
        var reference = Enumerable.Range(0, total).Select(_ => Take(straight)).ToList();
        foreach (int k in (int[])[1, (int)straight.StepsPerEpoch - 1, (int)straight.StepsPerEpoch + 2])
        {
            var saved = LoaderState.FromJson(reference[k].State.ToJson());
            var resumed = new PackedBatchLoader(_ds, options, saved);
            for (int s = k; s < total; s++)
            {
                var b = Take(resumed);
                Assert.Equal(reference[s].Inputs, b.Inputs);
                Assert.Equal(reference[s].Targets, b.Targets);
                Assert.Equal(reference[s].Docs, b.Docs);
                Assert.Equal(reference[s].State, b.State);
            }
        }
    }

    [Fact]
    public void Each_epoch_is_a_new_permutation_of_all_windows()
    {
        var loader = new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = 1, Seed = 3 });
        Assert.Equal(_ds.Count, loader.StepsPerEpoch);
        var e0 = Enumerable.Range(0, (int)_ds.Count).Select(s => loader.WindowsAt(new LoaderState(0, s))[0]).ToArray();
        var e1 = Enumerable.Range(0, (int)_ds.Count).Select(s => loader.WindowsAt(new LoaderState(1, s))[0]).ToArray();
        Assert.Equal(Enumerable.Range(0, (int)_ds.Count).Select(i => (long)i), e0.Order());
        Assert.Equal(e0.Order(), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(e0, e0.Order());
        var other = new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = 1, Seed = 4 });
        Assert.NotEqual(e0, Enumerable.Range(0, (int)_ds.Count).Select(s => other.WindowsAt(new LoaderState(0, s))[0]));
    }

    [Fact]
    public void Ranks_split_each_global_batch_without_overlap()
    {
        const int world = 3, batch = 2;
        var global = new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = batch * world, Seed = 2 });
        var ranks = Enumerable.Range(0, world)
            .Select(r => new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = batch, Rank = r, WorldSize = world, Seed = 2 }))
            .ToArray();
        Assert.All(ranks, r => Assert.Equal(global.StepsPerEpoch, r.StepsPerEpoch));
        for (int step = 0; step < global.StepsPerEpoch; step++)
        {
            var state = new LoaderState(1, step);
            var parts = ranks.SelectMany(r => r.WindowsAt(state)).ToArray();
            Assert.Equal(global.WindowsAt(state), parts);
            Assert.Equal(parts.Length, parts.Distinct().Count());
        }
    }

    [Fact]
    public void Unshuffled_order_is_the_stream_order_and_state_wraps_to_the_next_epoch()
    {
        var loader = new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = 2, Shuffle = false });
        Assert.Equal([4L, 5], loader.WindowsAt(new LoaderState(0, 2)));
        for (int i = 0; i < loader.StepsPerEpoch; i++) loader.Next().Dispose();
        Assert.Equal(new LoaderState(1, 0), loader.State);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = 1, Rank = 2, WorldSize = 2 }));
        Assert.Throws<ArgumentException>(() => new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = (int)_ds.Count + 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedBatchLoader(_ds, new PackedLoaderOptions { BatchSize = 1 }, new LoaderState(0, _ds.Count)));
    }
}
