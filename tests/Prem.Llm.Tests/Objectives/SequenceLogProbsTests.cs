using Prem.Llm.Objectives;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Objectives;

public class SequenceLogProbsTests
{
    [Fact]
    public void Sums_log_softmax_of_labelled_tokens_per_row()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        using var batch = PreferenceFixtures.Batch(3, [0, 1]);
        var ids = batch.Rejected.InputIds;
        var labels = batch.Rejected.Labels!;
        var mask = batch.Rejected.AttentionMask!;
        var (sums, counts) = SequenceLogProbs.Compute(model, ids, labels, mask);
        var (rowSums, rowCounts) = SequenceLogProbs.Compute(model, batch.Rejected);
        Assert.Equal(sums.data<float>().ToArray(), rowSums.data<float>().ToArray());
        Assert.Equal(counts.data<float>().ToArray(), rowCounts.data<float>().ToArray());

        var logp = model.Forward(ids, mask).log_softmax(2).data<float>().ToArray();
        var l = labels.data<long>().ToArray();
        for (int r = 0; r < 2; r++)
        {
            double expected = 0; int n = 0;
            for (int t = 1; t < 10; t++)
            {
                long y = l[r * 10 + t];
                if (y == -100) continue;
                expected += logp[(r * 10 + t - 1) * 48 + y];
                n++;
            }
            Assert.Equal(expected, sums[r].item<float>(), 3);
            Assert.Equal(n, counts[r].item<float>());
        }
        Assert.Equal(4, counts[0].item<float>());
    }

    [Fact]
    public void Mismatched_labels_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.TinyModel();
        var ex = Assert.Throws<ArgumentException>(() => SequenceLogProbs.Compute(model, zeros(2, 5, ScalarType.Int64), zeros(2, 4, ScalarType.Int64), null));
        Assert.Equal("labels", ex.ParamName);
        using var shifted = new Prem.Llm.Data.CausalLmBatch(zeros(2, 5, ScalarType.Int64), targets: zeros(2, 5, ScalarType.Int64));
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => SequenceLogProbs.Compute(model, shifted)).ParamName);
    }
}
