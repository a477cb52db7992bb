using System.Text;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class CorpusReaderTests
{
    [Fact]
    public void Jsonl_gives_one_record_per_nonblank_line_with_its_line_number()
    {
        using var tmp = new TempFolder();
        var path = tmp.Sub("a.jsonl.gz");
        TestCorpus.WriteBytes(path, Encoding.UTF8.GetBytes("{\"text\":\"one\"}\n\n  \n{\"text\":\"two\"}\r\nnot json\n"));
        var records = CorpusReader.Read([path]).ToList();
        Assert.Equal([1L, 4, 5], records.Select(r => r.Line));
        Assert.Equal(["{\"text\":\"one\"}", "{\"text\":\"two\"}", "not json"], records.Select(r => r.Content));
        Assert.All(records, r => Assert.Equal(CorpusFileKind.Jsonl, r.Kind));
    }

    [Fact]
    public void Text_file_is_one_document_by_default()
    {
        using var tmp = new TempFolder();
        var text = "First para.\n\nSecond para,\nstill second.\n";
        TestCorpus.WriteBytes(tmp.Sub("a.txt.zst"), Encoding.UTF8.GetBytes(text));
        var records = CorpusReader.Read([tmp.Sub("a.txt.zst")]).ToList();
        Assert.Equal(text, Assert.Single(records).Content);
    }

    [Fact]
    public void Text_file_splits_on_blank_lines_when_asked()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteBytes(tmp.Sub("a.txt"), Encoding.UTF8.GetBytes("\nFirst para.\n\n \nSecond para,\nstill second.\n\nThird"));
        var records = CorpusReader.Read([tmp.Sub("a.txt")], TextFileSplit.BlankLine).ToList();
        Assert.Equal(["First para.", "Second para,\nstill second.", "Third"], records.Select(r => r.Content));
        Assert.Equal([2L, 5, 8], records.Select(r => r.Line));
    }

    [Fact]
    public void Files_are_read_in_the_given_order()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteBytes(tmp.Sub("x.txt"), "X"u8.ToArray());
        TestCorpus.WriteBytes(tmp.Sub("y.txt"), "Y"u8.ToArray());
        Assert.Equal(["Y", "X"], CorpusReader.Read([tmp.Sub("y.txt"), tmp.Sub("x.txt")]).Select(r => r.Content));
    }

    [Fact]
    public void Corrupt_gzip_is_a_data_error_naming_the_file()
    {
        using var tmp = new TempFolder();
        var path = tmp.Sub("bad.jsonl.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var e = Assert.Throws<DataFormatException>(() => CorpusReader.Read([path]).ToList());
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Invalid_utf8_fails_naming_file_and_offset_or_is_replaced_and_counted_per_file()
    {
        using var tmp = new TempFolder();
        var bad = tmp.Sub("bad.jsonl.gz");
        // Offsets are in the decompressed text: the 0xFF is byte 10, the cut 3-byte sequence starts at byte 24.
        TestCorpus.WriteBytes(bad, [.. "{\"text\":\"a"u8, 0xFF, .. "\"}\n{\"text\":\"b"u8, 0xE2, 0x82, .. "\"}\n"u8]);
        var good = tmp.Sub("good.txt");
        TestCorpus.WriteBytes(good, "fine"u8.ToArray());
        var e = Assert.Throws<DataFormatException>(() => CorpusReader.Read([good, bad]).ToList());
        Assert.Equal(bad, e.FilePath);
        Assert.Contains("not valid UTF-8 at byte offset 10", e.Message);

        var replaced = new Utf8Replacements();
        var records = CorpusReader.Read([good, bad], replaced: replaced).ToList();
        Assert.Equal(["fine", "{\"text\":\"a\uFFFD\"}", "{\"text\":\"b\uFFFD\"}"], records.Select(r => r.Content));
        Assert.Equal([new KeyValuePair<string, long>(bad, 2)], replaced.ToSorted());
    }

    [Fact]
    public void A_utf16_byte_order_mark_is_not_obeyed()
    {
        // Only UTF-8 is read: FF FE is two invalid bytes, not a switch to UTF-16 that would turn the rest into other text.
        using var tmp = new TempFolder();
        var path = tmp.Sub("bom.txt");
        TestCorpus.WriteBytes(path, [0xFF, 0xFE, .. "hi"u8]);
        var replaced = new Utf8Replacements();
        Assert.Equal("\uFFFD\uFFFDhi", Assert.Single(CorpusReader.Read([path], replaced: replaced)).Content);
        Assert.Equal(2, replaced.ToSorted()[path]);
        TestCorpus.WriteBytes(path, [0xEF, 0xBB, 0xBF, .. "hi"u8]);
        Assert.Equal("hi", Assert.Single(CorpusReader.Read([path])).Content);
    }
}
