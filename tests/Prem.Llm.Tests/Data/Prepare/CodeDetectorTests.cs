using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class CodeDetectorTests
{
    public static TheoryData<string, string> Code => new()
    {
        { "csharp", "using System;\n\nnamespace Demo\n{\n    public static class Program\n    {\n        public static void Main()\n        {\n            var x = 1;\n            Console.WriteLine(x);\n        }\n    }\n}\n" },
        { "python", "import os\nimport sys\n\ndef main(argv):\n    total = 0\n    for name in argv:\n        if name == '-v':\n            continue\n        total += len(name)\n    return total\n\nclass Foo:\n    pass\n" },
        { "javascript", "const fs = require('fs');\nfunction read(p) {\n  return fs.readFileSync(p, 'utf8');\n}\nlet data = read('a.txt');\nconsole.log(data.length);\n" },
        { "c", "#include <stdio.h>\n\nint main(void) {\n    int i;\n    for (i = 0; i < 10; i++) {\n        printf(\"%d\\n\", i);\n    }\n    return 0;\n}\n" },
        { "json-ish", "{\"a\": [1, 2, 3], \"b\": {\"c\": [4, 5]}, \"d\": [[6], [7]], \"e\": (8)}" },
    };

    public static TheoryData<string, string> Prose => new()
    {
        { "paragraphs", "The river ran past the old mill, where children played all summer.\n\nIn the autumn the mill wheel stopped; the miller had gone to the city.\nNobody knew when he would return." },
        { "wrapped lowercase lines", "It was the best of times, it was the worst of times, it was the age of\nwisdom, it was the age of foolishness, it was the epoch of belief, it\nfor the most part was the season of light, if only for a while, and\nclass distinctions mattered less than they had before." },
        { "markdown list", "# Shopping\n\n- apples (red, not green)\n- bread\n- milk: two litres\n\nRemember the receipt." },
        { "semicolon prose", "She paused; the room was silent. He looked up, surprised, and smiled. Then they left together, talking about the weather, the harvest and the coming winter." },
        { "dialogue", "\"Where are you going?\" she asked.\n\"Home,\" he said. \"It is late.\"\n\"Then go,\" she answered, and turned back to her book." },
    };

    [Theory]
    [MemberData(nameof(Code))]
    public void Detects_code(string language, string text) => Assert.True(CodeDetector.IsLikelyCode(text), language);

    [Theory]
    [MemberData(nameof(Prose))]
    public void Leaves_prose(string kind, string text) => Assert.False(CodeDetector.IsLikelyCode(text), kind);

    [Theory]
    [InlineData("x = f(y);", true)]
    [InlineData("}", true)]
    [InlineData("if x > 3:", true)]
    [InlineData("if the sun shines we go out", false)]
    [InlineData("for the rest of the day", false)]
    [InlineData("a => a + 1", true)]
    [InlineData("Note: this is a remark:", false)]
    public void Classifies_single_lines(string line, bool expected) => Assert.Equal(expected, CodeDetector.IsCodeLine(line));

    [Fact]
    public void Empty_text_is_not_code() => Assert.False(CodeDetector.IsLikelyCode("\n \n"));

    [Fact]
    public void One_code_line_in_prose_is_not_enough()
    {
        var text = "We met at noon.\nHe wrote x = f(y); on the board.\nThen we went for lunch.\nIt rained all afternoon.";
        Assert.False(CodeDetector.IsLikelyCode(text));
    }
}
