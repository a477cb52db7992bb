using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class PrepareSummaryTests
{
    [Fact]
    public void Sums_splits_and_prints_the_documented_keys()
    {
        var m = new PrepareManifest { DType = "uint16", RecordsRead = 12, InputBytes = 3000 };
        m.Splits["train"] = new SplitCounts { Documents = 8, Tokens = 500, Sequences = 7, DroppedTailTokens = 10 };
        m.Splits["val"] = new SplitCounts { Documents = 2, Tokens = 100, Sequences = 1, DroppedTailTokens = 35 };
        m.Skipped["too_short"] = 2;
        var s = PrepareSummary.From(m, resumedChunks: 1);
        Assert.Equal(10, s.Documents);
        Assert.Equal(600, s.Tokens);
        Assert.Equal(8, s.Sequences);
        Assert.Equal(45, s.DroppedTailTokens);

        using var doc = JsonDocument.Parse(s.ToJson());
        var root = doc.RootElement;
        Assert.Equal(10, root.GetProperty("documents").GetInt64());
        Assert.Equal(600, root.GetProperty("tokens").GetInt64());
        Assert.Equal(8, root.GetProperty("sequences").GetInt64());
        Assert.Equal(0, root.GetProperty("padding_tokens").GetInt64());
        Assert.Equal(2, root.GetProperty("skipped").GetProperty("too_short").GetInt64());
        Assert.Equal(2, root.GetProperty("splits").GetProperty("val").GetProperty("documents").GetInt64());
        Assert.Equal(1, root.GetProperty("resumed_chunks").GetInt64());
    }
}
