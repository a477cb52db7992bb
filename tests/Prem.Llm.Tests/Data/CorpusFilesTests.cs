using System.Text;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class CorpusFilesTests
{
    [Fact]
    public void Folder_is_walked_in_ordinal_relative_path_order_skipping_hidden_files()
    {
        using var tmp = new TempFolder();
        foreach (var rel in (string[])["b.txt", "a/z.jsonl", "B.md", "a.jsonl.gz", ".hidden.txt", ".git/x.txt", "c/d/e.text.zst"])
            TestCorpus.WriteBytes(tmp.Sub(rel), "x"u8.ToArray());
        var files = CorpusFiles.Enumerate(tmp.Path).Select(f => Path.GetRelativePath(tmp.Path, f).Replace('\\', '/')).ToList();
        Assert.Equal(["B.md", "a.jsonl.gz", "a/z.jsonl", "b.txt", "c/d/e.text.zst"], files);
    }

    [Theory]
    [InlineData("x.jsonl", CorpusFileKind.Jsonl)]
    [InlineData("x.JSONL.GZ", CorpusFileKind.Jsonl)]
    [InlineData("x.jsonl.zst", CorpusFileKind.Jsonl)]
    [InlineData("x.txt.zstd", CorpusFileKind.Text)]
    [InlineData("x.md", CorpusFileKind.Text)]
    public void Kind_comes_from_the_extension_under_compression(string name, CorpusFileKind kind) =>
        Assert.Equal(kind, CorpusFiles.KindOf(name));

    [Fact]
    public void Unsupported_file_in_a_folder_is_named()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteBytes(tmp.Sub("ok.txt"), "x"u8.ToArray());
        TestCorpus.WriteBytes(tmp.Sub("data.parquet"), "x"u8.ToArray());
        var e = Assert.Throws<DataFormatException>(() => CorpusFiles.Enumerate(tmp.Path));
        Assert.EndsWith("data.parquet", e.FilePath);
    }

    [Fact]
    public void Missing_input_and_empty_folder_are_errors()
    {
        using var tmp = new TempFolder();
        Assert.Throws<DataFormatException>(() => CorpusFiles.Enumerate(tmp.Sub("nope")));
        Assert.Throws<DataFormatException>(() => CorpusFiles.Enumerate(tmp.Path));
    }

    [Theory]
    [InlineData("t.txt")]
    [InlineData("t.txt.gz")]
    [InlineData("t.txt.zst")]
    public void Open_decompresses_by_extension(string name)
    {
        using var tmp = new TempFolder();
        var text = string.Concat(Enumerable.Range(0, 500).Select(TestCorpus.Prose));
        TestCorpus.WriteBytes(tmp.Sub(name), Encoding.UTF8.GetBytes(text));
        using var reader = new StreamReader(CorpusFiles.Open(tmp.Sub(name)));
        Assert.Equal(text, reader.ReadToEnd());
    }
}
