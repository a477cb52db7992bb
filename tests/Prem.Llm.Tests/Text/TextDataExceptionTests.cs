using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class TextDataExceptionTests
{
    [Fact]
    public void Message_NamesSourceLineAndField()
    {
        var e = new TextDataException("data.jsonl", "bad value.", field: "messages", line: 12);
        Assert.Equal("data.jsonl:12 (field 'messages'): bad value.", e.Message);
        Assert.Equal(("data.jsonl", "messages", (long?)12), (e.Source, e.Field, e.Line));
    }

    [Fact]
    public void Message_WithoutLineOrField() => Assert.Equal("x: oops", new TextDataException("x", "oops").Message);
}
