using Prem.Llm.AI;

namespace Prem.Llm.Tests.AI;

public class DocumentContextTests
{
    [Fact]
    public void Documents_follow_the_instructions_under_their_names()
    {
        Assert.Equal("Use these.\n\n### a.txt\nAlpha.\n\n### b.md\nBeta\nlines.",
            DocumentContext.SystemMessage([("a.txt", "\n Alpha.\n"), ("b.md", "Beta\nlines.\n\n")], " Use these. "));
        Assert.Equal(DocumentContext.DefaultInstructions, DocumentContext.SystemMessage([]));
        Assert.StartsWith(DocumentContext.DefaultInstructions + "\n\n### x", DocumentContext.SystemMessage([("x", "y")], "  "));
        Assert.Throws<ArgumentNullException>(() => DocumentContext.SystemMessage([("x", null!)]));
    }
}
