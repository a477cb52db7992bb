using System.Text.Json;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data.Sft;

public class ChatDatasetSummaryTests
{
    [Fact]
    public void Json_names_every_count()
    {
        var s = new ChatDatasetSummary
        {
            Records = 5, Examples = 3, Tokens = 100, TrainedTokens = 40, Truncated = 1,
            Skipped = new SortedDictionary<string, long> { [SkipReasons.BadJson] = 1, [ChatSkipReasons.PromptMismatch] = 1 },
        };
        Assert.Equal(2, s.SkippedTotal);
        using var doc = JsonDocument.Parse(s.ToJson());
        var r = doc.RootElement;
        Assert.Equal(5, r.GetProperty("records").GetInt64());
        Assert.Equal(3, r.GetProperty("examples").GetInt64());
        Assert.Equal(100, r.GetProperty("tokens").GetInt64());
        Assert.Equal(40, r.GetProperty("trained_tokens").GetInt64());
        Assert.Equal(1, r.GetProperty("truncated").GetInt64());
        Assert.Equal(1, r.GetProperty("skipped").GetProperty("prompt_mismatch").GetInt64());
        Assert.False(r.TryGetProperty("SkippedTotal", out _));
    }
}
