using Prem.Llm.Cli;
using Prem.Llm.Tests.Text;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Cli;

public class AnsiTokenMarksTests
{
    [Fact]
    public void TrainedTokensAreGreen_OthersDimmed()
    {
        Assert.Equal("\u001b[32mY\u001b[0m", AnsiTokenMarks.Mark("Y", trained: true));
        Assert.Equal("\u001b[2mHi\u001b[0m", AnsiTokenMarks.Mark("Hi", trained: false));
    }

    [Fact]
    public void JsonlTokenizer_ShowsTrainedTokensInGreen()
    {
        const string json = """{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Yo"}]}""";
        var show = new StringWriter();

        new JsonlTokenizer(TextTestData.PremChat).Run(new StringReader(json), "in.jsonl", null, show, AnsiTokenMarks.Mark);

        Assert.Contains("\u001b[32mY\u001b[0m\u001b[32mo\u001b[0m", show.ToString());
    }
}
