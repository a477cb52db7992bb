using System.Buffers.Binary;
using System.Text;
using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class CorpusPreparerTests
{
    private static readonly ByteTokenizer _tok = new();

    private static PrepareOptions Options(string input, string output, int workers = 1) => new()
    {
        Input = input, Output = output, TokenizerHash = "sha256:test", SeqLen = 64, Workers = workers,
        RecordsPerShard = 7, Seed = 5,
    };

    private static Dictionary<string, byte[]> OutputFiles(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    // Reads a split's documents back with the index, independently of the loader.
    private static List<int[]> ReadSplit(string folder, string split)
    {
        var docs = new List<int[]>();
        foreach (var shard in PrepareManifest.Load(folder).Shards.Where(s => s.Split == split))
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, shard.File));
            var offsets = TokenShard.ReadIndex(Path.Combine(folder, shard.IndexFile));
            for (int d = 0; d + 1 < offsets.Length; d++)
                docs.Add(Enumerable.Range((int)offsets[d], (int)(offsets[d + 1] - offsets[d]))
                    .Select(i => (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i))).ToArray());
        }
        return docs;
    }

    [Fact]
    public void Mixed_compressed_folder_gives_the_same_shards_with_1_and_2_workers()
    {
        using var tmp = new TempFolder();
        var expected = TestCorpus.WriteMixedFolder(tmp.Sub("in"));
        var one = new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("w1"), workers: 1)).Run();
        var two = new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("w2"), workers: 2)).Run();

        var a = OutputFiles(tmp.Sub("w1"));
        var b = OutputFiles(tmp.Sub("w2"));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), name);
        Assert.Equal(one.ToJson(), two.ToJson());

        // Content: every document of every format, in folder order, as BOS + bytes + EOS.
        Assert.Equal(expected.Select(_tok.Document), ReadSplit(tmp.Sub("w1"), "train"));
        Assert.Equal(expected.Count, one.Documents);
        Assert.Equal(expected.Sum(t => Encoding.UTF8.GetByteCount(t) + 2L), one.Tokens);
        Assert.Equal(TokenPacker.WindowCount(one.Tokens, 64), one.Sequences);
        Assert.Equal(0, one.PaddingTokens);
        Assert.Equal("uint16", one.DType);
        Assert.True(one.Shards > 3);
        Assert.All(PrepareManifest.Load(tmp.Sub("w1")).Shards, s => Assert.Equal(s.Bytes, new FileInfo(tmp.Sub("w1/" + s.File)).Length));
    }

    [Fact]
    public void Interrupted_run_resumes_to_byte_identical_output()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteMixedFolder(tmp.Sub("in"));
        var whole = new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("whole")) with { ValFraction = 0.2 }).Run();

        using var cts = new CancellationTokenSource();
        var stopAfterThree = new SyncProgress(p => { if (p.Chunks == 3) cts.Cancel(); });
        var options = Options(tmp.Sub("in"), tmp.Sub("resumed"), workers: 2) with { ValFraction = 0.2 };
        Assert.ThrowsAny<OperationCanceledException>(() => new CorpusPreparer(_tok, options).Run(stopAfterThree, cts.Token));
        var partial = PrepareManifest.Load(tmp.Sub("resumed"));
        Assert.False(partial.Complete);
        Assert.Equal(3, partial.ChunksDone);
        // A crash can also leave a temporary file behind; resumption must not be confused by it.
        File.WriteAllBytes(tmp.Sub("resumed/train-000003.bin.tmp"), [1, 2, 3]);

        var seen = new List<PrepareProgress>();
        var resumed = new CorpusPreparer(_tok, options).Run(new SyncProgress(seen.Add));
        Assert.Equal(3, resumed.ResumedChunks);
        Assert.Equal(4, seen[0].Chunks);

        Assert.False(File.Exists(tmp.Sub("resumed/train-000003.bin.tmp")));
        var a = OutputFiles(tmp.Sub("whole"));
        var b = OutputFiles(tmp.Sub("resumed"));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), name);
        Assert.Equal(whole.ToJson(), (resumed with { ResumedChunks = 0 }).ToJson());
    }

    [Fact]
    public void Completed_output_is_not_redone_and_other_settings_are_refused()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteMixedFolder(tmp.Sub("in"), perFile: 5);
        var first = new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("out"))).Run();
        var before = OutputFiles(tmp.Sub("out"));
        var again = new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("out"))).Run();
        Assert.Equal(first.Tokens, again.Tokens);
        Assert.Equal(before.Keys.Order(), OutputFiles(tmp.Sub("out")).Keys.Order());

        var e = Assert.Throws<DataFormatException>(() => new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("out")) with { Seed = 6 }).Run());
        Assert.Contains("seed", e.Message);
    }

    [Fact]
    public void Validation_split_is_deterministic_by_seed_and_record_index()
    {
        using var tmp = new TempFolder();
        var texts = Enumerable.Range(0, 400).Select(TestCorpus.Prose).ToList();
        TestCorpus.WriteJsonl(tmp.Sub("in.jsonl"), texts.Select(t => TestCorpus.JsonLine(t)));
        var s = new CorpusPreparer(_tok, Options(tmp.Sub("in.jsonl"), tmp.Sub("out")) with { ValFraction = 0.25, RecordsPerShard = 100 }).Run();

        var isVal = Enumerable.Range(0, texts.Count).Select(i => StableHash.Unit(5, i) < 0.25).ToArray();
        Assert.Equal(texts.Where((_, i) => isVal[i]).Select(_tok.Document), ReadSplit(tmp.Sub("out"), "val"));
        Assert.Equal(texts.Where((_, i) => !isVal[i]).Select(_tok.Document), ReadSplit(tmp.Sub("out"), "train"));
        Assert.InRange(s.Splits["val"].Documents, 70, 130);
    }

    [Fact]
    public void Malformed_line_is_an_error_naming_file_and_line()
    {
        using var tmp = new TempFolder();
        var lines = Enumerable.Range(0, 30).Select(i => TestCorpus.JsonLine(TestCorpus.Prose(i))).ToList();
        lines[17] = "{\"text\": \"unterminated";
        TestCorpus.WriteJsonl(tmp.Sub("in/x.jsonl.zst"), lines);
        var e = Assert.Throws<DataFormatException>(() => new CorpusPreparer(_tok, Options(tmp.Sub("in"), tmp.Sub("out"), 2)).Run());
        Assert.EndsWith("x.jsonl.zst", e.FilePath);
        Assert.Equal(18, e.Line);
        Assert.Contains("x.jsonl.zst:18:", e.Message);
    }

    [Fact]
    public void Skipping_counts_every_reason()
    {
        using var tmp = new TempFolder();
        string[] lines =
        [
            TestCorpus.JsonLine("a long enough prose document."), "oops", "{\"body\":\"x\"}", "{\"text\":[1]}",
            TestCorpus.JsonLine(" "), TestCorpus.JsonLine("tiny"),
            TestCorpus.JsonLine("int main() {\n  int x = 1;\n  return x;\n}"), TestCorpus.JsonLine("another prose document here."),
        ];
        TestCorpus.WriteJsonl(tmp.Sub("in.jsonl"), lines);
        var s = new CorpusPreparer(_tok, Options(tmp.Sub("in.jsonl"), tmp.Sub("out")) with { SkipBadLines = true, DropCode = true, MinTokens = 10 }).Run();
        Assert.Equal(2, s.Documents);
        Assert.Equal(8, s.Records);
        Assert.Equal(new SortedDictionary<string, long>
        {
            [SkipReasons.BadJson] = 1, [SkipReasons.MissingField] = 1, [SkipReasons.WrongType] = 1,
            [SkipReasons.Empty] = 1, [SkipReasons.TooShort] = 1, [SkipReasons.Code] = 1,
        }, s.Skipped);
    }

    [Fact]
    public void Large_vocabulary_writes_uint32_shards()
    {
        using var tmp = new TempFolder();
        var big = new ByteTokenizer(128256);
        TestCorpus.WriteJsonl(tmp.Sub("in.jsonl"), ["{\"text\":\"ab\"}"]);
        var s = new CorpusPreparer(big, Options(tmp.Sub("in.jsonl"), tmp.Sub("out"))).Run();
        Assert.Equal("uint32", s.DType);
        var bytes = File.ReadAllBytes(tmp.Sub("out/train-000000.bin"));
        Assert.Equal(big.Document("ab"), Enumerable.Range(0, 4).Select(i => (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4 * i))));
    }

    private sealed class SyncProgress(Action<PrepareProgress> report) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress value) => report(value);
    }
}
