using Prem.Llm.Data;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Data.Sft;

public class SftBatchLoaderTests : IDisposable
{
    private readonly TempFolder _tmp = new();
    private readonly SftDataset _ds;

    public SftBatchLoaderTests()
    {
        var lines = Enumerable.Range(0, 13).Select(i => Messages(("user", "question " + i), ("assistant", string.Join(" ", Enumerable.Repeat("answer", i + 1))))).ToArray();
        _ds = SftDataset.Load(Write(_tmp, "s.jsonl", lines), Tokenizer);
    }

    public void Dispose() => _tmp.Dispose();

    private static (long[] Ids, long[] Labels, LoaderState? State) Take(SftBatchLoader loader)
    {
        using var b = loader.Next();
        return (b.InputIds.data<long>().ToArray(), b.Labels.data<long>().ToArray(), b.State);
    }

    [Fact]
    public void Batches_are_the_collated_rows_at_each_step()
    {
        var loader = new SftBatchLoader(_ds, new ChatLoaderOptions { BatchSize = 3, Seed = 4, PadToMultipleOf = 8 });
        var rows = loader.RowsAt(loader.State);
        using var batch = loader.Next();
        using var expected = SftCollator.Collate(rows.Select(i => _ds.Rows[i]).ToList(), _ds.PadId, 8);
        Assert.Equal(expected.InputIds.data<long>().ToArray(), batch.InputIds.data<long>().ToArray());
        Assert.Equal(expected.Labels.data<long>().ToArray(), batch.Labels.data<long>().ToArray());
        Assert.Equal(0, batch.InputIds.shape[1] % 8);
        Assert.Equal(new LoaderState(0, 0), batch.State);
    }

    [Fact]
    public void Resuming_at_step_k_yields_the_uninterrupted_batches()
    {
        var options = new ChatLoaderOptions { BatchSize = 2, Seed = 9, GroupByLength = true, MegaBatchMultiplier = 2 };
        var straight = new SftBatchLoader(_ds, options);
        var reference = Enumerable.Range(0, 14).Select(_ => Take(straight)).ToList();
        foreach (int k in (int[])[3, 6, 8])
        {
            var resumed = new SftBatchLoader(_ds, options, reference[k].State);
            for (int i = k; i < 14; i++)
            {
                var got = Take(resumed);
                Assert.Equal(reference[i].Ids, got.Ids);
                Assert.Equal(reference[i].Labels, got.Labels);
            }
        }
    }
}
