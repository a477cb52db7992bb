using Prem.Llm.Gguf;
using Prem.Llm.Modeling;

namespace Prem.Llm.Tests.Cli;

public sealed class ExportCommandTests
{
    [Fact]
    public void ExportsGguf_ThenBackToAnHfFolder()
    {
        string gguf = TestData.TempFile("stories.gguf");
        var (exit, output, error) = CliRun.Prem("export", "--model", TestData.Path("stories260K"), "--format", "gguf", "--type", "q8_0", "--output", gguf);
        Assert.True(exit == 0, error);
        Assert.Contains("q8_0", output);
        using (var file = GgufFile.Open(gguf))
        {
            Assert.Equal(7, GgufMetadata.Int(file, "general.file_type"));
            Assert.Equal(GgmlType.Q8_0, file.Find("blk.0.attn_q.weight")!.Type);
            Assert.Equal(GgmlType.F16, file.Find("blk.0.ffn_down.weight")!.Type); // rows of 172: not whole q8_0 blocks
            Assert.Equal(GgmlType.F32, file.Find("blk.0.attn_norm.weight")!.Type);
            Assert.Null(file.Find("output.weight")); // tied
        }
        string folder = TestData.TempDirectory();
        (exit, _, error) = CliRun.Prem("export", "--model", gguf, "--format", "hf", "--output", folder);
        Assert.True(exit == 0, error);
        using var model = LlamaForCausalLM.FromPretrained(folder);
        Assert.Equal(5, model.Config.NumHiddenLayers);
        Assert.True(File.Exists(Path.Combine(folder, "tokenizer.model")));
    }

    [Fact]
    public void MissingFolderOrBadType_IsAnError()
    {
        var (exit, _, error) = CliRun.Prem("export", "--model", TestData.Path("no-such-model"), "--format", "gguf", "--output", TestData.TempFile("x.gguf"));
        Assert.Equal(1, exit);
        Assert.Contains("model folder not found", error);
        (exit, _, error) = CliRun.Prem("export", "--model", TestData.Path("stories260K"), "--format", "gguf", "--type", "q4_k");
        Assert.NotEqual(0, exit);
        Assert.Contains("q4_k", error);
        (exit, _, error) = CliRun.Prem("export", "--model", TestData.TempFile("missing.gguf"), "--format", "hf", "--output", TestData.TempDirectory());
        Assert.Equal(1, exit);
        Assert.Contains("GGUF file not found", error);
    }
}
