using Prem.Llm.Distributed;

namespace Prem.Llm.Tests.Distributed;

public class RankLogTests
{
    [Fact]
    public void RankZeroWritesToTheConsoleOthersToTheirOwnFile()
    {
        var folder = TestData.TempDirectory();
        var console = new StringWriter();
        Assert.Same(console, RankLog.Open(0, folder, console));
        using (var log = RankLog.Open(3, folder, console)) log.WriteLine("step 1 loss 2.5");
        Assert.Equal("step 1 loss 2.5" + Environment.NewLine, File.ReadAllText(Path.Combine(folder, "rank3.log")));
        Assert.Empty(console.ToString());
        Assert.False(File.Exists(Path.Combine(folder, "rank0.log")));
    }
}
