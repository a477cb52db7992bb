using System.Text;
using Prem.Llm.Data;
using Prem.Llm.Text;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class RecordProcessorTests
{
    private static readonly ByteTokenizer _tok = new();

    private static CorpusRecord Json(string line) => new("f.jsonl", 3, CorpusFileKind.Jsonl, line);

    [Fact]
    public void Document_is_bos_tokens_eos()
    {
        var r = new RecordProcessor(_tok).Process(Json("{\"text\":\"héllo\",\"id\":1}"));
        Assert.Null(r.SkipReason);
        Assert.Equal(_tok.Document("héllo"), r.Tokens);
        Assert.Equal(Encoding.UTF8.GetByteCount("{\"text\":\"héllo\",\"id\":1}"), r.TextBytes);
    }

    [Fact]
    public void Text_field_name_is_configurable_and_plain_text_is_taken_whole()
    {
        Assert.Equal(_tok.Document("abc"), new RecordProcessor(_tok, "content").Process(Json("{\"content\":\"abc\"}")).Tokens);
        Assert.Equal(_tok.Document("a\nb"), new RecordProcessor(_tok).Process(new CorpusRecord("f.txt", 1, CorpusFileKind.Text, "a\nb")).Tokens);
    }

    [Theory]
    [InlineData("{\"text\": ", SkipReasons.BadJson)]
    [InlineData("[1, 2]", SkipReasons.BadJson)]
    [InlineData("{\"body\":\"x\"}", SkipReasons.MissingField)]
    [InlineData("{\"text\":42}", SkipReasons.WrongType)]
    [InlineData("{\"text\":null}", SkipReasons.WrongType)]
    [InlineData("{\"text\":\"  \\n \"}", SkipReasons.Empty)]
    public void Malformed_and_empty_records_are_classified(string line, string reason)
    {
        var r = new RecordProcessor(_tok).Process(Json(line));
        Assert.Null(r.Tokens);
        Assert.Equal(reason, r.SkipReason);
        Assert.Equal(SkipReasons.IsBadLine(reason), r.Message is not null);
    }

    [Fact]
    public void Minimum_length_counts_text_tokens_only()
    {
        var p = new RecordProcessor(_tok, minTokens: 4);
        Assert.Equal(SkipReasons.TooShort, p.Process(Json("{\"text\":\"abc\"}")).SkipReason);
        Assert.Equal(6, p.Process(Json("{\"text\":\"abcd\"}")).Tokens!.Length);
    }

    [Fact]
    public void Code_filter_applies_only_when_asked()
    {
        var code = "int main() {\n  return 0;\n}\n";
        var rec = new CorpusRecord("f.txt", 1, CorpusFileKind.Text, code);
        Assert.Equal(SkipReasons.Code, new RecordProcessor(_tok, dropCode: true).Process(rec).SkipReason);
        Assert.NotNull(new RecordProcessor(_tok).Process(rec).Tokens);
    }

    [Fact]
    public void Ids_outside_the_vocabulary_are_reported_with_file_and_line()
    {
        var e = Assert.Throws<DataFormatException>(() => new RecordProcessor(new BrokenTokenizer()).Process(Json("{\"text\":\"a\"}")));
        Assert.Equal("f.jsonl", e.FilePath);
        Assert.Equal(3, e.Line);
    }

    private sealed class BrokenTokenizer : ITextTokenizer
    {
        public int VocabSize => 10;
        public int BosId => 8;
        public int EosId => 9;
        public int? PadId => null;
        public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false) => [3, 10];
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => "";
        public int? TokenToId(string token) => null;
    }
}
