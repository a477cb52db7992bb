using Prem.Llm.Objectives;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class TrainingBatchTests
{
    [Fact]
    public void Looks_up_tensors_and_counts_tokens()
    {
        using var batch = new TrainingBatch(new Dictionary<string, Tensor>
        {
            [TrainingBatch.ChosenInputIds] = zeros(2, 5, ScalarType.Int64),
            [TrainingBatch.RejectedInputIds] = zeros(2, 7, ScalarType.Int64),
            [TrainingBatch.ChosenLabels] = zeros(2, 5, ScalarType.Int64),
        }, [4, 9]);
        Assert.Equal(24, batch.TokenCount);
        Assert.True(batch.Contains(TrainingBatch.ChosenLabels));
        Assert.Null(batch.Find(TrainingBatch.Labels));
        Assert.Equal(new long[] { 4, 9 }, batch.ExampleIds);
        var ex = Assert.Throws<ArgumentException>(() => batch[TrainingBatch.InputIds]);
        Assert.Contains("'input_ids'", ex.Message);
    }

    [Fact]
    public void Dispose_frees_the_tensors()
    {
        var t = zeros(2, 2);
        var batch = new TrainingBatch(new Dictionary<string, Tensor> { [TrainingBatch.InputIds] = t });
        batch.Dispose();
        Assert.True(t.IsInvalid);
        Assert.Empty(batch.Keys);
    }
}
