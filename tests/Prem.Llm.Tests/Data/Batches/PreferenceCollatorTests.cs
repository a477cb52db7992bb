using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Batches;

public class PreferenceCollatorTests
{
    [Fact]
    public void Chosen_rows_come_first_and_only_responses_are_labelled()
    {
        var pairs = new List<PreferenceExample>
        {
            new([1, 10, 11], [20, 21], [30], "a"),
            new([1, 12], [22], [31, 32, 33, 34], "b"),
        };
        var collator = new PreferenceCollator(padId: 0);
        using var batch = collator.Collate(pairs, [3, 8]);
        Assert.Equal(2, batch.PairCount);
        Assert.Equal([2L, 6], batch.Chosen.InputIds.shape);
        Assert.Equal([2L, 6], batch.Rejected.InputIds.shape);
        Assert.Equal([3L, 8], batch.ExampleIds);
        Assert.Equal(6, collator.LengthOf(pairs[1]));
        Assert.Equal([
            1L, 10, 11, 20, 21, 0,
            1, 12, 22, 0, 0, 0,
            1, 10, 11, 30, 0, 0,
            1, 12, 31, 32, 33, 34], Stacked(batch.Chosen.InputIds, batch.Rejected.InputIds));
        Assert.Equal([
            -100L, -100, -100, 20, 21, -100,
            -100, -100, 22, -100, -100, -100,
            -100, -100, -100, 30, -100, -100,
            -100, -100, 31, 32, 33, 34], Stacked(batch.Chosen.Labels!, batch.Rejected.Labels!));
        Assert.Equal([
            1L, 1, 1, 1, 1, 0,
            1, 1, 1, 0, 0, 0,
            1, 1, 1, 1, 0, 0,
            1, 1, 1, 1, 1, 1], Stacked(batch.Chosen.AttentionMask!, batch.Rejected.AttentionMask!));
        Assert.Throws<ArgumentException>(() => collator.Collate([]));
    }

    [Fact]
    public void Padding_to_a_multiple_covers_both_row_sets()
    {
        var pairs = new List<PreferenceExample> { new([1, 10], [20], [30, 31, 32], "a") };
        using var batch = new PreferenceCollator(padId: 5, padToMultipleOf: 4).Collate(pairs);
        // The longer row (prompt + rejected, 5 tokens) rounds up to 8 for both row sets.
        Assert.Equal([1L, 10, 20, 5, 5, 5, 5, 5], batch.Chosen.InputIds.data<long>().ToArray());
        Assert.Equal([-100L, -100, 20, -100, -100, -100, -100, -100], batch.Chosen.Labels!.data<long>().ToArray());
        Assert.Equal([1L, 10, 30, 31, 32, 5, 5, 5], batch.Rejected.InputIds.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 0, 0, 0], batch.Rejected.AttentionMask!.data<long>().ToArray());
        Assert.Null(batch.ExampleIds);
    }

    private static long[] Stacked(TorchSharp.torch.Tensor chosen, TorchSharp.torch.Tensor rejected) =>
        [.. chosen.data<long>().ToArray(), .. rejected.data<long>().ToArray()];
}
