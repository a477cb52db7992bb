using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Preference;

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
        using var batch = PreferenceCollator.Collate(pairs, padId: 0);
        Assert.Equal(2, batch.PairCount);
        Assert.Equal([4L, 6], batch.InputIds.shape);
        Assert.Equal([
            1L, 10, 11, 20, 21, 0,
            1, 12, 22, 0, 0, 0,
            1, 10, 11, 30, 0, 0,
            1, 12, 31, 32, 33, 34], batch.InputIds.data<long>().ToArray());
        Assert.Equal([
            -100L, -100, -100, 20, 21, -100,
            -100, -100, 22, -100, -100, -100,
            -100, -100, -100, 30, -100, -100,
            -100, -100, 31, 32, 33, 34], batch.Labels.data<long>().ToArray());
        Assert.Equal([
            1L, 1, 1, 1, 1, 0,
            1, 1, 1, 0, 0, 0,
            1, 1, 1, 1, 0, 0,
            1, 1, 1, 1, 1, 1], batch.AttentionMask.data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => PreferenceCollator.Collate([], 0));
    }
}
