using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfPreTokenizerTests
{
    sealed class Collect : IHfPieceSink
    {
        public List<string> Pieces { get; } = [];

        public void Piece(ReadOnlySpan<char> piece, bool atStart) => Pieces.Add((atStart ? "^" : "") + piece.ToString());
    }

    static List<string> Run(string json, string text, bool atStart = true)
    {
        var p = HfPreTokenizer.Parse(JsonDocument.Parse(json).RootElement, new HfJsonReader("t.json"), "pre_tokenizer")!;
        var sink = new Collect();
        p.PreTokenize(text, atStart, sink);
        return sink.Pieces;
    }

    [Fact]
    public void ByteLevel_Gpt2RegexAndPrefixSpace()
    {
        // tokenizers' byte_level.rs test: "Hello my friend, how is your day going?" → "ĠHello", "Ġmy", … with add_prefix_space.
        Assert.Equal(["^ĠHello", "Ġmy", "Ġfriend", ",", "Ġhow"], Run("""{"type":"ByteLevel","add_prefix_space":true,"use_regex":true}""", "Hello my friend, how"));
    }

    [Fact]
    public void Metaspace_PrependSchemes()
    {
        const string first = """{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true}""";
        Assert.Equal(["^▁Hey", "▁friend"], Run(first, "Hey friend"));
        Assert.Equal(["Hey", "▁friend"], Run(first, "Hey friend", atStart: false));
        Assert.Equal(["▁Hey▁friend"], Run("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":false}""", "Hey friend", atStart: false));
    }

    [Fact]
    public void Whitespace_AndPunctuation()
    {
        Assert.Equal(["^Hey", "friend", "!"], Run("""{"type":"Whitespace"}""", "Hey friend!"));
        Assert.Equal(["^Hey friend", "!", "?"], Run("""{"type":"Punctuation","behavior":"Isolated"}""", "Hey friend!?"));
    }
}
