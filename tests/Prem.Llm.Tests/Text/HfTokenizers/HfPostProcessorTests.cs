using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfPostProcessorTests
{
    static HfPostProcessor Parse(string json) => HfPostProcessor.Parse(JsonDocument.Parse(json).RootElement, new HfJsonReader("t.json"), "post_processor");

    [Fact]
    public void Template_IdsAroundTheSequence()
    {
        var p = Parse("""{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],"pair":[],"special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]},"</s>":{"id":"</s>","ids":[2],"tokens":["</s>"]}}}""");
        Assert.Equal([1], p.Prefix);
        Assert.Equal([2], p.Suffix);
    }

    [Fact]
    public void Sequence_ByteLevelAddsNothing_RobertaWraps()
    {
        var p = Parse("""{"type":"Sequence","processors":[{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true},{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0],"trim_offsets":true,"add_prefix_space":true}]}""");
        Assert.Equal([0], p.Prefix);
        Assert.Equal([2], p.Suffix);
        Assert.Equal(HfPostProcessor.None, Parse("null"));
    }
}
