using Prem.Llm.Data;
using Prem.Llm.Tests.Data;
using Prem.Llm.Tests.Distributed;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class BatchShardingTests
{
    [Fact]
    public void ForRank_takes_rank_and_size_from_the_communicator_and_keeps_the_rest()
    {
        var packed = new BatchLoaderOptions { BatchSize = 3, Shuffle = false }.ForRank(new ReplicaCommunicator(4, rank: 2));
        Assert.Equal((3, 2, 4, false), (packed.BatchSize, packed.Rank, packed.WorldSize, packed.Shuffle));
        var chat = new BatchLoaderOptions { BatchSize = 5, GroupByLength = true }.ForRank(new ReplicaCommunicator(2, rank: 1));
        Assert.Equal((5, 1, 2, true), (chat.BatchSize, chat.Rank, chat.WorldSize, chat.GroupByLength));
    }

    [Fact]
    public void Check_refuses_a_source_sharded_for_another_rank_and_positions_refuse_another_global_batch()
    {
        using var tmp = new TempFolder();
        PackedTokenDatasetTests.Prepare(tmp.Path, 20, 8);
        using var dataset = new PackedTokenDataset(tmp.Sub("out"));
        var windows = new PackedWindows(dataset);
        var source = new BatchLoader<PackedWindow, CausalLmBatch>(windows, new PackedWindowCollator(), new BatchLoaderOptions { BatchSize = 2, Rank = 1, WorldSize = 2 });
        Assert.Equal((1, 2, 4L), (source.Rank, source.WorldSize, source.GlobalBatch));
        BatchSharding.Check(source, new ReplicaCommunicator(2, rank: 1), "train");
        var e = Assert.Throws<TrainingException>(() => BatchSharding.Check(source, new ReplicaCommunicator(2, rank: 0), "train"));
        Assert.Contains("rank 0/2: the train batch source reads shard 1 of 2", e.Message);
        Assert.Throws<TrainingException>(() => BatchSharding.Check(source, new ReplicaCommunicator(3, rank: 1), "train"));

        source.StartEpoch(0, 1);
        source.Next()!.Dispose();
        var position = System.Text.Json.Nodes.JsonNode.Parse(source.SavePosition().ToJsonString())!;
        Assert.Equal(4, position["global_batch"]!.GetValue<long>());
        // The same global batch on one rank (batch 4 × 1) resumes; batch 2 × 1 is another global batch.
        new BatchLoader<PackedWindow, CausalLmBatch>(windows, new PackedWindowCollator(), new BatchLoaderOptions { BatchSize = 4 }).RestorePosition(0, 1, position);
        var refused = Assert.Throws<TrainingException>(() =>
            new BatchLoader<PackedWindow, CausalLmBatch>(windows, new PackedWindowCollator(), new BatchLoaderOptions { BatchSize = 2 }).RestorePosition(0, 1, position));
        Assert.Contains("global batches of 4 examples", refused.Message);
    }
}
