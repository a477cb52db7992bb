using Prem.Llm.Data;
using Prem.Llm.Recipes;
using Prem.Llm.Tests.Training;

namespace Prem.Llm.Tests.Recipes;

public class LimitedBatchSourceTests
{
    [Fact]
    public void Each_epoch_ends_after_the_limit_and_a_restored_position_continues_the_same_batches()
    {
        var source = new LimitedBatchSource(TrainingFixtures.CountingSource(10), 4);
        Assert.Equal(4, source.BatchesPerEpoch);
        source.StartEpoch(1, 7);
        var first = source.Next()!;
        var position = source.SavePosition();
        var rest = new List<long[]>();
        while (source.Next() is { } b) using (b) rest.Add(((CausalLmBatch)b).InputIds.data<long>().ToArray());
        first.Dispose();
        Assert.Equal(3, rest.Count);

        var again = new LimitedBatchSource(TrainingFixtures.CountingSource(10), 4);
        again.RestorePosition(1, 7, position);
        var replay = new List<long[]>();
        while (again.Next() is { } b) using (b) replay.Add(((CausalLmBatch)b).InputIds.data<long>().ToArray());
        Assert.Equal(rest, replay);
    }

    [Fact]
    public void A_limit_above_the_epoch_keeps_the_epoch() =>
        Assert.Equal(3, new LimitedBatchSource(TrainingFixtures.CountingSource(3), 10).BatchesPerEpoch);
}
