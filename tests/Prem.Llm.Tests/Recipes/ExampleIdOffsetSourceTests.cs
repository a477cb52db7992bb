using Prem.Llm.Objectives;
using Prem.Llm.Recipes;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Recipes;

public class ExampleIdOffsetSourceTests
{
    [Fact]
    public void Ids_are_shifted_and_tensors_kept()
    {
        var inner = new InMemoryBatchSource([() => new TrainingBatch(new Dictionary<string, Tensor> { [TrainingBatch.InputIds] = tensor(new long[] { 5, 6 }) }, [0, 1])], shuffle: false);
        var source = new ExampleIdOffsetSource(inner, 100);
        source.StartEpoch(0, 0);
        using var batch = source.Next()!;
        Assert.Equal([100L, 101L], batch.ExampleIds!);
        Assert.Equal([5L, 6L], batch[TrainingBatch.InputIds].data<long>().ToArray());
        Assert.Null(source.Next());
    }
}
