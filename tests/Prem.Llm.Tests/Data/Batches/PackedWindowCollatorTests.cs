using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Batches;

public class PackedWindowCollatorTests : IDisposable
{
    private const int SeqLen = 8;
    private readonly TempFolder _tmp = new();
    private readonly PackedTokenDataset _ds;

    public PackedWindowCollatorTests()
    {
        PackedTokenDatasetTests.Prepare(_tmp.Path, 60, SeqLen);
        _ds = new PackedTokenDataset(_tmp.Sub("out"));
    }

    public void Dispose()
    {
        _ds.Dispose();
        _tmp.Dispose();
    }

    [Fact]
    public void Windows_become_inputs_shifted_targets_and_document_ids()
    {
        var windows = new PackedWindows(_ds);
        var collator = new PackedWindowCollator();
        using var batch = collator.Collate([windows[5], windows[2]], [5, 2]);
        Assert.Equal([2L, SeqLen], batch.InputIds.shape);
        Assert.Null(batch.Labels);
        Assert.Null(batch.AttentionMask);
        Assert.Equal([5L, 2], batch.ExampleIds);
        Assert.Equal(SeqLen, collator.LengthOf(windows[0]));
        var inputs = new long[SeqLen];
        var targets = new long[SeqLen];
        var docs = new long[SeqLen];
        _ds.ReadWindow(2, inputs, targets, docs);
        Assert.Equal(inputs, batch.InputIds[1].data<long>().ToArray());
        Assert.Equal(targets, batch.Targets![1].data<long>().ToArray());
        Assert.Equal(docs, batch.DocumentIds![1].data<long>().ToArray());
        Assert.Equal(inputs[1..], targets[..^1]);
    }

    [Fact]
    public void Cross_document_attention_drops_the_document_ids()
    {
        var windows = new PackedWindows(_ds);
        using var batch = new PackedWindowCollator { CrossDocumentAttention = true }.Collate([windows[0]], null);
        Assert.Null(batch.DocumentIds);
        Assert.NotNull(batch.Targets);
        Assert.Throws<ArgumentException>(() => new PackedWindowCollator().Collate([], null));
    }
}
