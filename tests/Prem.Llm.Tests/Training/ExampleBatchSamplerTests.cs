using Prem.Llm.Data;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class ExampleBatchSamplerTests
{
    private static readonly int[] _lengths = [.. Enumerable.Range(0, 103).Select(i => (int)(StableHash.Of(3, i) % 500) + 1)];

    private static List<int[]> Epoch(ExampleBatchSampler s, long seed, long epoch) =>
        [.. Enumerable.Range(0, (int)s.StepsPerEpoch).Select(step => s.IndicesAt(seed, epoch, step))];

    [Fact]
    public void Ranks_take_disjoint_slices_of_each_global_batch()
    {
        var options = new BatchLoaderOptions { BatchSize = 4, WorldSize = 3 };
        var ranks = Enumerable.Range(0, 3).Select(r => new ExampleBatchSampler(103, options with { Rank = r })).ToList();
        Assert.Equal(8, ranks[0].StepsPerEpoch); // 103 / 12
        var order = ranks[0].Order(7, 0);
        Assert.Equal(Enumerable.Range(0, 103), order.Order());
        Assert.Equal(SeededPermutation.Create(103, 7, 0), order);
        for (int step = 0; step < 8; step++)
        {
            var global = ranks.SelectMany(r => r.IndicesAt(7, 0, step)).ToArray();
            Assert.Equal(order[(step * 12)..((step + 1) * 12)], global);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ranks[0].IndicesAt(7, 0, 8));
        Assert.NotEqual(ranks[0].Order(7, 0), ranks[0].Order(7, 1));
    }

    [Fact]
    public void Length_grouping_sorts_within_mega_batches_and_is_deterministic()
    {
        var options = new BatchLoaderOptions { BatchSize = 2, GroupByLength = true, MegaBatchMultiplier = 5 };
        var a = new ExampleBatchSampler(103, options, _lengths);
        var b = new ExampleBatchSampler(103, options, _lengths);
        Assert.Equal(a.Order(11, 0), b.Order(11, 0));
        Assert.Equal(a.Order(11, 1), b.Order(11, 1));
        Assert.NotEqual(a.Order(11, 0), a.Order(11, 1));
        var shuffled = new ExampleBatchSampler(103, options with { GroupByLength = false }).Order(11, 0);
        var grouped = a.Order(11, 0);
        for (int start = 0; start < 103; start += 10)
        {
            int n = Math.Min(10, 103 - start);
            // Each mega-batch holds the same examples as the plain shuffle's, longest first.
            Assert.Equal(shuffled[start..(start + n)].Order(), grouped[start..(start + n)].Order());
            var lengths = grouped[start..(start + n)].Select(i => _lengths[i]).ToArray();
            Assert.Equal(lengths.OrderDescending(), lengths);
        }
        Assert.NotEqual(new ExampleBatchSampler(103, options, _lengths).Order(12, 0), grouped);
    }

    [Fact]
    public void Batches_depend_only_on_seed_epoch_and_step()
    {
        var options = new BatchLoaderOptions { BatchSize = 5, GroupByLength = true, MegaBatchMultiplier = 3 };
        var straight = new ExampleBatchSampler(103, options, _lengths);
        var reference = Epoch(straight, 2, 0).Concat(Epoch(straight, 2, 1)).ToList();
        foreach (int k in (int[])[1, 19, 20, 23])
        {
            var state = LoaderState.FromJson(new LoaderState(k / 20, k % 20).ToJson());
            var fresh = new ExampleBatchSampler(103, options, _lengths);
            for (int i = k; i < k + 5; i++) Assert.Equal(reference[i], fresh.IndicesAt(2, i / 20, i % 20));
            Assert.Equal(reference[k], fresh.IndicesAt(2, state.Epoch, state.Step));
        }
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ExampleBatchSampler(3, new BatchLoaderOptions { BatchSize = 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExampleBatchSampler(8, new BatchLoaderOptions { BatchSize = 4, Rank = 1 }));
        Assert.Throws<ArgumentException>(() => new ExampleBatchSampler(8, new BatchLoaderOptions { BatchSize = 4, GroupByLength = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExampleBatchSampler(8, new BatchLoaderOptions { BatchSize = 4 }).IndicesAt(0, 0, 2));
    }
}
