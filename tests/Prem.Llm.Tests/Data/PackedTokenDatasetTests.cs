using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data;

public class PackedTokenDatasetTests
{
    private static readonly ByteTokenizer _tok = new();

    // Prepares `count` prose documents in small chunks so windows cross shard boundaries.
    internal static List<string> Prepare(string folder, int count, int seqLen, bool overlap = false, ByteTokenizer? tok = null)
    {
        var texts = Enumerable.Range(0, count).Select(TestCorpus.Prose).ToList();
        TestCorpus.WriteJsonl(Path.Combine(folder, "in.jsonl"), texts.Select(t => TestCorpus.JsonLine(t)));
        new CorpusPreparer(tok ?? _tok, new PrepareOptions
        {
            Input = Path.Combine(folder, "in.jsonl"), Output = Path.Combine(folder, "out"), TokenizerHash = "t",
            SeqLen = seqLen, RecordsPerShard = 3, OverlapWindows = overlap,
        }).Run();
        return texts;
    }

    [Theory]
    [InlineData(32, false)]
    [InlineData(32, true)]
    [InlineData(200, false)]
    public void Windows_equal_packing_the_documents_in_memory(int seqLen, bool overlap)
    {
        using var tmp = new TempFolder();
        var texts = Prepare(tmp.Path, 40, seqLen, overlap);
        var reference = TokenPacker.Pack(texts.Select(_tok.Document), seqLen, overlap);
        using var ds = new PackedTokenDataset(tmp.Sub("out"));
        Assert.True(ds.Manifest.Shards.Count > 5);
        Assert.Equal(reference.Count, ds.Count);
        var inputs = new long[seqLen];
        var targets = new long[seqLen];
        var docs = new long[seqLen];
        for (int k = 0; k < ds.Count; k++)
        {
            ds.ReadWindow(k, inputs, targets, docs);
            Assert.Equal(reference[k].Tokens[..seqLen].Select(t => (long)t), inputs);
            Assert.Equal(reference[k].Tokens[1..].Select(t => (long)t), targets);
            Assert.Equal(reference[k].DocumentIds[..seqLen], docs);
        }
    }

    [Fact]
    public void Token_stream_is_the_concatenated_documents()
    {
        using var tmp = new TempFolder();
        var texts = Prepare(tmp.Path, 25, 16);
        var stream = texts.SelectMany(_tok.Document).Select(t => (long)t).ToArray();
        using var ds = new PackedTokenDataset(tmp.Sub("out"));
        Assert.Equal(stream.Length, ds.TotalTokens);
        var all = new long[stream.Length];
        ds.CopyTokens(0, all);
        Assert.Equal(stream, all);
        Assert.Equal(texts.Count, ds.DocumentStarts.Length);
    }

    [Fact]
    public void Damaged_or_unfinished_output_is_refused()
    {
        using var tmp = new TempFolder();
        Prepare(tmp.Path, 10, 16);
        var m = PrepareManifest.Load(tmp.Sub("out"));
        Assert.Throws<DataFormatException>(() => new PackedTokenDataset(tmp.Sub("out"), "val"));

        var shard = tmp.Sub("out/" + m.Shards[1].File);
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..^2]);
        Assert.Equal(shard, Assert.Throws<DataFormatException>(() => new PackedTokenDataset(tmp.Sub("out"))).FilePath);

        m.Complete = false;
        m.Save(tmp.Sub("out"));
        Assert.Throws<DataFormatException>(() => new PackedTokenDataset(tmp.Sub("out")));
    }

    [Fact]
    public void Bad_window_arguments_are_rejected()
    {
        using var tmp = new TempFolder();
        Prepare(tmp.Path, 10, 16);
        using var ds = new PackedTokenDataset(tmp.Sub("out"));
        var s = new long[16];
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.ReadWindow(ds.Count, s, s, s));
        Assert.Throws<ArgumentException>(() => ds.ReadWindow(0, new long[15], s, s));
    }
}
