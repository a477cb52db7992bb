using Prem.Llm.Data;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Data.Preference;

public class PreferenceBatchLoaderTests : IDisposable
{
    private readonly TempFolder _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Resuming_at_step_k_yields_the_uninterrupted_batches()
    {
        var lines = Enumerable.Range(0, 9).Select(i =>
            $$"""{"prompt": "q{{i}}", "chosen": "{{string.Join(" ", Enumerable.Repeat("yes", i + 1))}}", "rejected": "no"}""").ToArray();
        var ds = PreferenceDataset.Load(Write(_tmp, "p.jsonl", lines), Tokenizer);
        var options = new ChatLoaderOptions { BatchSize = 2, Seed = 1, GroupByLength = true };
        var straight = new PreferenceBatchLoader(ds, options);
        Assert.Equal(4, straight.StepsPerEpoch);
        var reference = new List<(long[], LoaderState)>();
        for (int i = 0; i < 10; i++)
        {
            using var b = straight.Next();
            Assert.Equal(2, b.PairCount);
            reference.Add((b.InputIds.data<long>().ToArray(), b.State!));
        }
        var resumed = new PreferenceBatchLoader(ds, options, reference[5].Item2);
        Assert.Equal(reference[5].Item2, resumed.State);
        var pairs = resumed.PairsAt(resumed.State);
        for (int i = 5; i < 10; i++)
        {
            using var b = resumed.Next();
            Assert.Equal(reference[i].Item1, b.InputIds.data<long>().ToArray());
        }
        using var expected = PreferenceCollator.Collate(pairs.Select(i => ds.Examples[i]).ToList(), ds.PadId);
        Assert.Equal(reference[5].Item1, expected.InputIds.data<long>().ToArray());
    }
}
