using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class SkipReasonsTests
{
    [Theory]
    [InlineData(SkipReasons.BadJson, true)]
    [InlineData(SkipReasons.MissingField, true)]
    [InlineData(SkipReasons.WrongType, true)]
    [InlineData(SkipReasons.Empty, false)]
    [InlineData(SkipReasons.TooShort, false)]
    [InlineData(SkipReasons.Code, false)]
    public void Only_malformed_lines_are_bad_lines(string reason, bool bad) => Assert.Equal(bad, SkipReasons.IsBadLine(reason));

    [Fact]
    public void Reason_keys_are_distinct_snake_case()
    {
        string[] all = [SkipReasons.BadJson, SkipReasons.MissingField, SkipReasons.WrongType, SkipReasons.Empty, SkipReasons.TooShort, SkipReasons.Code];
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.All(all, r => Assert.Matches("^[a-z_]+$", r));
    }
}
