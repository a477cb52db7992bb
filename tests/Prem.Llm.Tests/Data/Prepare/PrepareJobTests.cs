using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class PrepareJobTests
{
    private static PrepareOptions Options(TempFolder tmp) => new()
    {
        Input = tmp.Sub("in"), Output = tmp.Sub("out"), TokenizerHash = "replaced", SeqLen = 16, Workers = 2, RecordsPerShard = 4,
    };

    [Fact]
    public void Prints_the_summary_and_records_the_tokenizer_fingerprint()
    {
        using var tmp = new TempFolder();
        var texts = TestCorpus.WriteMixedFolder(tmp.Sub("in"), perFile: 6);
        File.WriteAllText(tmp.Sub("tok.model"), "tokenizer bytes");
        string? loadedFrom = null;
        var output = new StringWriter();
        var log = new StringWriter();
        int code = PrepareJob.Run(tmp.Sub("tok.model"), p => { loadedFrom = p; return new ByteTokenizer(); }, Options(tmp), output, log);

        Assert.Equal(0, code);
        Assert.Equal(tmp.Sub("tok.model"), loadedFrom);
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal(texts.Count, doc.RootElement.GetProperty("documents").GetInt64());
        Assert.Equal(0, doc.RootElement.GetProperty("padding_tokens").GetInt64());
        Assert.Equal(TokenizerFingerprint.Of(tmp.Sub("tok.model")), PrepareManifest.Load(tmp.Sub("out")).TokenizerHash);
        Assert.Contains("chunk 1:", log.ToString());
    }

    [Fact]
    public void Bad_input_gives_exit_code_1_and_the_location()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteJsonl(tmp.Sub("in/a.jsonl"), ["{\"text\":\"ok\"}", "{\"text\":5}"]);
        File.WriteAllText(tmp.Sub("tok.model"), "t");
        var log = new StringWriter();
        int code = PrepareJob.Run(tmp.Sub("tok.model"), _ => new ByteTokenizer(), Options(tmp), new StringWriter(), log);
        Assert.Equal(1, code);
        Assert.Contains("a.jsonl:2:", log.ToString());
    }

    [Fact]
    public void Cancellation_gives_exit_code_130()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteMixedFolder(tmp.Sub("in"), perFile: 3);
        File.WriteAllText(tmp.Sub("tok.model"), "t");
        var log = new StringWriter();
        int code = PrepareJob.Run(tmp.Sub("tok.model"), _ => new ByteTokenizer(), Options(tmp), new StringWriter(), log, new CancellationToken(true));
        Assert.Equal(130, code);
        Assert.Contains("resume", log.ToString());
    }

    [Fact]
    public void Missing_loader_or_bad_settings_give_exit_code_2()
    {
        using var tmp = new TempFolder();
        TestCorpus.WriteMixedFolder(tmp.Sub("in"), perFile: 3);
        File.WriteAllText(tmp.Sub("tok.model"), "t");
        var log = new StringWriter();
        Assert.Equal(2, PrepareJob.Run(tmp.Sub("tok.model"), _ => throw new InvalidOperationException("no loader"), Options(tmp), new StringWriter(), log));
        Assert.Contains("no loader", log.ToString());
        Assert.Equal(2, PrepareJob.Run(tmp.Sub("tok.model"), _ => new ByteTokenizer(), Options(tmp) with { SeqLen = 0 }, new StringWriter(), new StringWriter()));
    }
}
