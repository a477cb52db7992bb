using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class DataFormatExceptionTests
{
    [Fact]
    public void Message_leads_with_file_and_line()
    {
        var e = new DataFormatException("bad", "c.jsonl", 12);
        Assert.Equal("c.jsonl:12: bad", e.Message);
        Assert.Equal("c.jsonl", e.FilePath);
        Assert.Equal(12, e.Line);
        Assert.Equal("c.jsonl: bad", new DataFormatException("bad", "c.jsonl").Message);
        Assert.Equal("bad", new DataFormatException("bad").Message);
    }
}
