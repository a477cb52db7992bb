using Prem.Llm.Data;
using Prem.Llm.Recipes;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Recipes;

public class ExampleIdOffsetSourceTests
{
    [Fact]
    public void Ids_are_shifted_and_tensors_kept()
    {
        var inner = new InMemoryBatchSource([() => new CausalLmBatch(tensor(new long[] { 5, 6 }, [2, 1]), targets: tensor(new long[] { 1, 1 }, [2, 1]), exampleIds: [0, 1])], shuffle: false);
        var source = new ExampleIdOffsetSource(inner, 100);
        source.StartEpoch(0, 0);
        using var batch = source.Next()!;
        Assert.Equal([100L, 101L], batch.ExampleIds!);
        Assert.Equal([5L, 6L], Assert.IsType<CausalLmBatch>(batch).InputIds.data<long>().ToArray());
        Assert.Equal(typeof(TrainingBatch), source.BatchType);
        Assert.Null(source.Next());
    }
}
