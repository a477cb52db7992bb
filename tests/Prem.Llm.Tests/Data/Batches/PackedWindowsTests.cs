using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Batches;

public class PackedWindowsTests : IDisposable
{
    private readonly TempFolder _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Lists_every_window_in_stream_order_without_reading()
    {
        PackedTokenDatasetTests.Prepare(_tmp.Path, 60, 8);
        using var ds = new PackedTokenDataset(_tmp.Sub("out"));
        var windows = new PackedWindows(ds);
        Assert.Equal(ds.Count, windows.Count);
        Assert.Equal(Enumerable.Range(0, windows.Count).Select(i => (long)i), windows.Select(w => w.Index));
        Assert.Same(ds, windows[3].Dataset);
        Assert.Throws<ArgumentOutOfRangeException>(() => windows[windows.Count]);
    }
}
