using Prem.Llm.Data;
using TorchSharp;

namespace Prem.Llm.Tests.Data;

public class PackedBatchTests
{
    [Fact]
    public void Dispose_releases_all_three_tensors()
    {
        var a = torch.zeros(2, 3, torch.int64);
        var b = torch.zeros(2, 3, torch.int64);
        var c = torch.zeros(2, 3, torch.int64);
        var batch = new PackedBatch(a, b, c, new LoaderState(0, 1));
        Assert.Same(a, batch.InputIds);
        Assert.Equal(new LoaderState(0, 1), batch.State);
        batch.Dispose();
        Assert.True(a.IsInvalid && b.IsInvalid && c.IsInvalid);
    }
}
