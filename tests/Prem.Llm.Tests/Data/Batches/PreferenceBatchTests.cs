using Prem.Llm.Data;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Data.Batches;

public class PreferenceBatchTests
{
    private static CausalLmBatch Rows(long rows, long seq) =>
        new(zeros(rows, seq, ScalarType.Int64), labels: zeros(rows, seq, ScalarType.Int64), attentionMask: ones(rows, seq, ScalarType.Int64));

    [Fact]
    public void Counts_pairs_and_tokens_of_both_row_sets()
    {
        using var batch = new PreferenceBatch(Rows(2, 5), Rows(2, 7), [4, 9]);
        Assert.Equal(2, batch.PairCount);
        Assert.Equal(24, batch.TokenCount);
        Assert.Equal(new long[] { 4, 9 }, batch.ExampleIds);
    }

    [Fact]
    public void Row_sets_must_have_labels_and_one_row_per_pair()
    {
        using var chosen = Rows(2, 5);
        using var three = Rows(3, 5);
        using var shifted = new CausalLmBatch(zeros(2, 5, ScalarType.Int64), targets: zeros(2, 5, ScalarType.Int64));
        Assert.Equal("rejected", Assert.Throws<ArgumentException>(() => new PreferenceBatch(chosen, three)).ParamName);
        Assert.Equal("chosen", Assert.Throws<ArgumentException>(() => new PreferenceBatch(shifted, chosen)).ParamName);
        Assert.Equal("rejected", Assert.Throws<ArgumentException>(() => new PreferenceBatch(chosen, shifted)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new PreferenceBatch(chosen, Rows(2, 5), [1, 2, 3]));
        Assert.Equal("exampleIds", e.ParamName);
    }

    [Fact]
    public void Dispose_frees_both_row_sets_and_with_example_ids_moves_them()
    {
        var chosen = Rows(1, 3);
        var rejected = Rows(1, 3);
        var batch = new PreferenceBatch(chosen, rejected, [0]);
        var moved = batch.WithExampleIds([7]);
        batch.Dispose();
        Assert.False(chosen.InputIds.IsInvalid);
        Assert.Equal([7L], moved.ExampleIds);
        moved.Dispose();
        Assert.True(chosen.InputIds.IsInvalid && rejected.Labels!.IsInvalid);
    }
}
