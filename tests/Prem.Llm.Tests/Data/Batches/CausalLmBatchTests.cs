using Prem.Llm.Data;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Data.Batches;

public class CausalLmBatchTests
{
    [Fact]
    public void Holds_the_tensors_and_counts_tokens()
    {
        var ids = zeros(2, 5, ScalarType.Int64);
        using var batch = new CausalLmBatch(ids, labels: zeros(2, 5, ScalarType.Int64), attentionMask: ones(2, 5, ScalarType.Int64), exampleIds: [4, 9]);
        Assert.Same(ids, batch.InputIds);
        Assert.Null(batch.Targets);
        Assert.Null(batch.DocumentIds);
        Assert.Equal(10, batch.TokenCount);
        Assert.Equal(2, batch.RowCount);
        Assert.Equal(new long[] { 4, 9 }, batch.ExampleIds);
        Assert.Equal(-100, TrainingBatch.IgnoreIndex);
        Assert.Equal(TrainingBatch.IgnoreIndex, Prem.Llm.Text.ConversationEncoder.IgnoreIndex);
    }

    [Fact]
    public void Shapes_and_dtypes_are_checked_with_the_argument_named()
    {
        using var ids = zeros(2, 5, ScalarType.Int64);
        using var like = zeros(2, 5, ScalarType.Int64);
        using var shorter = zeros(2, 4, ScalarType.Int64);
        using var floats = zeros(2, 5);
        using var flat = zeros(10, ScalarType.Int64);

        var e = Assert.Throws<ArgumentException>(() => new CausalLmBatch(flat, labels: like));
        Assert.Equal("inputIds", e.ParamName);
        Assert.Contains("[batch, seq] int64", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids, labels: shorter));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("[2, 5] int64", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids, targets: floats));
        Assert.Equal("targets", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids, labels: like, attentionMask: shorter));
        Assert.Equal("attentionMask", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids, labels: like, documentIds: shorter));
        Assert.Equal("documentIds", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids, labels: like, exampleIds: [1]));
        Assert.Equal("exampleIds", e.ParamName);
        Assert.Contains("exactly one of labels", Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids)).Message);
        Assert.Contains("exactly one of labels", Assert.Throws<ArgumentException>(() => new CausalLmBatch(ids, labels: like, targets: like)).Message);
        // A failed construction leaves the tensors with the caller.
        Assert.False(ids.IsInvalid || like.IsInvalid);
        // Any dtype is a valid mask (nonzero marks real tokens).
        using var ok = new CausalLmBatch(zeros(2, 5, ScalarType.Int64), targets: zeros(2, 5, ScalarType.Int64), attentionMask: ones(2, 5, ScalarType.Bool));
    }

    [Fact]
    public void Dispose_frees_the_tensors_and_with_example_ids_moves_them()
    {
        var a = zeros(2, 3, ScalarType.Int64);
        var b = zeros(2, 3, ScalarType.Int64);
        var c = zeros(2, 3, ScalarType.Int64);
        var batch = new CausalLmBatch(a, targets: b, documentIds: c, exampleIds: [0, 1]);
        var moved = batch.WithExampleIds([10, 11]);
        batch.Dispose();
        Assert.False(a.IsInvalid);
        Assert.Equal([10L, 11], moved.ExampleIds);
        Assert.Same(c, moved.DocumentIds);
        moved.Dispose();
        Assert.True(a.IsInvalid && b.IsInvalid && c.IsInvalid);
    }
}
