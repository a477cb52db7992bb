using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Sft;

public class ExampleBatchSamplerTests
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 103).Select(i => (int)(StableHash.Of(3, i) % 500) + 1)];

    private static List<int[]> Epoch(ExampleBatchSampler s) => [.. Enumerable.Range(0, (int)s.StepsPerEpoch).Select(_ => s.Next().Indices)];

    [Fact]
    public void Ranks_take_disjoint_slices_of_each_global_batch()
    {
        var options = new ChatLoaderOptions { BatchSize = 4, WorldSize = 3, Seed = 7 };
        var ranks = Enumerable.Range(0, 3).Select(r => new ExampleBatchSampler(103, options with { Rank = r })).ToList();
        Assert.Equal(8, ranks[0].StepsPerEpoch); // 103 / 12
        var order = ranks[0].Order(0);
        Assert.Equal(Enumerable.Range(0, 103), order.Order());
        for (int step = 0; step < 8; step++)
        {
            var global = ranks.SelectMany(r => r.Next().Indices).ToArray();
            Assert.Equal(order[(step * 12)..((step + 1) * 12)], global);
        }
        Assert.Equal(new LoaderState(1, 0), ranks[0].State);
        Assert.NotEqual(ranks[0].Order(0), ranks[0].Order(1));
    }

    [Fact]
    public void Length_grouping_sorts_within_mega_batches_and_is_deterministic()
    {
        var options = new ChatLoaderOptions { BatchSize = 2, Seed = 11, GroupByLength = true, MegaBatchMultiplier = 5 };
        var a = new ExampleBatchSampler(103, options, Lengths);
        var b = new ExampleBatchSampler(103, options, Lengths);
        Assert.Equal(a.Order(0), b.Order(0));
        Assert.Equal(a.Order(1), b.Order(1));
        Assert.NotEqual(a.Order(0), a.Order(1));
        var shuffled = new ExampleBatchSampler(103, options with { GroupByLength = false }).Order(0);
        var grouped = a.Order(0);
        for (int start = 0; start < 103; start += 10)
        {
            int n = Math.Min(10, 103 - start);
            // Each mega-batch holds the same examples as the plain shuffle's, longest first.
            Assert.Equal(shuffled[start..(start + n)].Order(), grouped[start..(start + n)].Order());
            var lengths = grouped[start..(start + n)].Select(i => Lengths[i]).ToArray();
            Assert.Equal(lengths.OrderDescending(), lengths);
        }
        Assert.NotEqual(new ExampleBatchSampler(103, options with { Seed = 12 }, Lengths).Order(0), grouped);
    }

    [Fact]
    public void Resuming_at_step_k_yields_the_uninterrupted_batches()
    {
        var options = new ChatLoaderOptions { BatchSize = 5, Seed = 2, GroupByLength = true, MegaBatchMultiplier = 3 };
        var straight = new ExampleBatchSampler(103, options, Lengths);
        var reference = Epoch(straight).Concat(Epoch(straight)).ToList();
        foreach (int k in (int[])[1, 19, 20, 23])
        {
            var state = LoaderState.FromJson(new LoaderState(k / 20, k % 20).ToJson());
            var resumed = new ExampleBatchSampler(103, options, Lengths, state);
            for (int i = k; i < k + 5; i++) Assert.Equal(reference[i], resumed.Next().Indices);
        }
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ExampleBatchSampler(3, new ChatLoaderOptions { BatchSize = 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExampleBatchSampler(8, new ChatLoaderOptions { BatchSize = 4, Rank = 1 }));
        Assert.Throws<ArgumentException>(() => new ExampleBatchSampler(8, new ChatLoaderOptions { BatchSize = 4, GroupByLength = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExampleBatchSampler(8, new ChatLoaderOptions { BatchSize = 4 }, state: new LoaderState(0, 2)));
    }
}
