using System.Text.Json;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class PrepareManifestTests
{
    private static PrepareManifest Sample() => new()
    {
        TokenizerHash = "sha256:ab", VocabSize = 32004, BosId = 1, EosId = 2, DType = "uint16", Seed = 7, ValFraction = 0.01,
        TextField = "text", TextFileSplit = "WholeFile", RecordsPerShard = 10, SeqLen = 2048,
        Inputs = [new InputFileInfo("a.jsonl", 12)],
        Skipped = new(StringComparer.Ordinal) { ["code"] = 2, ["bad_json"] = 1 },
    };

    [Fact]
    public void Save_and_load_round_trip_with_snake_case_keys_in_a_fixed_order()
    {
        using var tmp = new TempFolder();
        var m = Sample();
        m.Split("train").Tokens = 99;
        m.Save(tmp.Path);
        var text = File.ReadAllText(tmp.Sub(PrepareManifest.FileName));
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("prem-tokens/1", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(["bad_json", "code"], doc.RootElement.GetProperty("skipped").EnumerateObject().Select(p => p.Name));
        Assert.True(text.IndexOf("\"tokenizer_hash\"", StringComparison.Ordinal) < text.IndexOf("\"shards\"", StringComparison.Ordinal));

        var back = PrepareManifest.Load(tmp.Path);
        Assert.Null(back.FirstDifference(m));
        Assert.Equal(99, back.Splits["train"].Tokens);
        Assert.Equal(2, back.Skipped["code"]);
    }

    [Fact]
    public void First_difference_names_the_setting()
    {
        var a = Sample();
        var b = Sample();
        b.ValFraction = 0.02;
        Assert.Equal("val_fraction", a.FirstDifference(b));
        b = Sample();
        b.Inputs = [new InputFileInfo("a.jsonl", 13)];
        Assert.Equal("inputs", a.FirstDifference(b));
        b = Sample();
        b.RecordsRead = 500;
        Assert.Null(a.FirstDifference(b));
    }

    [Fact]
    public void Bad_manifest_is_a_data_error_naming_the_file()
    {
        using var tmp = new TempFolder();
        Assert.Throws<DataFormatException>(() => PrepareManifest.Load(tmp.Path));
        File.WriteAllText(tmp.Sub(PrepareManifest.FileName), "{\"format\": ");
        Assert.EndsWith(PrepareManifest.FileName, Assert.Throws<DataFormatException>(() => PrepareManifest.Load(tmp.Path)).FilePath);
        File.WriteAllText(tmp.Sub(PrepareManifest.FileName), "{\"format\": \"other/9\"}");
        Assert.Contains("other/9", Assert.Throws<DataFormatException>(() => PrepareManifest.Load(tmp.Path)).Message);
    }
}
