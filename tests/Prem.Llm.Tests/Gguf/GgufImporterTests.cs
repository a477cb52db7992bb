using Prem.Llm.Gguf;
using Prem.Llm.Modeling;
using Prem.Llm.Tests.Text;
using Prem.Llm.Text;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Gguf;

/// <summary>HF folder → GGUF → import: config, weights (q/k permutation undone), tokenizer.</summary>
public sealed class GgufImporterTests
{
    static float MaxLogitDiff(LlamaForCausalLM a, LlamaForCausalLM b, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Length]);
        return (a.forward(input) - b.forward(input)).abs().max().item<float>();
    }

    [Fact]
    public void Stories260K_F32RoundTrip_IsExact()
    {
        string folder = TestData.Path("stories260K");
        using var model = LlamaForCausalLM.FromPretrained(folder);
        string path = TestData.TempFile("s.gguf");
        GgufExporter.Export(model, folder, path, GgufType.F32);
        using var back = GgufImporter.Load(path);
        Assert.Equal(model.Config with { Extra = back.Config.Extra, EosTokenIds = back.Config.EosTokenIds, MaxPositionEmbeddings = back.Config.MaxPositionEmbeddings }, back.Config);
        Assert.Equal(model.Config.EosTokenIds, back.Config.EosTokenIds);
        foreach (var ((name, a), (_, b)) in model.state_dict().Zip(back.state_dict()))
            Assert.True((a - b).abs().max().item<float>() == 0, name);
        Assert.Equal(0f, MaxLogitDiff(model, back, [1, 400, 300, 200, 100, 5]));
    }

    [Fact]
    public void TinyLlama3_F32RoundTrip_IsExact_WithLlama3RopeScaling()
    {
        using var model = GgufLlamaCppTests.TinyLlama3();
        string path = TestData.TempFile("t.gguf");
        GgufExporter.Export(model, HfTestData.Folder("llama3_1"), path, GgufType.F32);
        using var back = GgufImporter.Load(path);
        Assert.Equal(model.Config.RopeScaling!.Factor, back.Config.RopeScaling!.Factor);
        Assert.Equal(64, back.Config.RopeScaling.OriginalMaxPositionEmbeddings);
        Assert.False(back.Config.TieWordEmbeddings);
        Assert.Equal(0f, MaxLogitDiff(model, back, [128000, 791, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679]));
    }

    [Theory]
    [InlineData(GgufType.F16, 2e-3)]
    [InlineData(GgufType.BF16, 2e-2)]
    [InlineData(GgufType.Q8_0, 2e-2)]
    public void Stories260K_RoundedRoundTrip_IsWithinBound(GgufType type, double bound)
    {
        string folder = TestData.Path("stories260K");
        using var model = LlamaForCausalLM.FromPretrained(folder);
        string path = TestData.TempFile("s.gguf");
        GgufExporter.Export(model, folder, path, type);
        using var back = GgufImporter.Load(path);
        // Weights: each within its type's rounding of the original.
        foreach (var ((name, a), (_, b)) in model.state_dict().Zip(back.state_dict()))
        {
            float scale = a.abs().max().item<float>();
            float diff = (a - b).abs().max().item<float>();
            Assert.True(diff <= scale * bound, $"{name}: {diff} > {scale * bound}");
        }
        float logits = MaxLogitDiff(model, back, [1, 400, 300, 200, 100, 5]);
        Assert.True(logits < 0.5f, $"{type}: logits differ by {logits}");
    }

    [Fact]
    public void Tokenizers_RoundTrip()
    {
        // SentencePiece: same ids for ordinary text (GGUF carries no remove_extra_whitespaces, see GgufTokenizerFolder).
        string folder = TestData.Path("stories260K");
        using (var model = LlamaForCausalLM.FromPretrained(folder))
        {
            string path = TestData.TempFile("s.gguf");
            GgufExporter.Export(model, folder, path, GgufType.F16);
            string target = TestData.TempDirectory();
            GgufImporter.WriteTokenizerFolder(path, target);
            var original = TokenizerLoader.Load(folder);
            var back = TokenizerLoader.Load(target);
            Assert.Equal((original.BosId, original.EosId, original.VocabSize), (back.BosId, back.EosId, back.VocabSize));
            foreach (string text in new[] { "Once upon a time, there was a little girl named Lily.", "Numbers 123 and café 🙂" })
                Assert.Equal(original.Encode(text, addBos: true), back.Encode(text, addBos: true));
        }
        // Byte-level BPE: the Llama-3.1 golden rows, through tokenizer.json rebuilt from the GGUF.
        using (var model = GgufLlamaCppTests.TinyLlama3())
        {
            string path = TestData.TempFile("t.gguf");
            GgufExporter.Export(model, HfTestData.Folder("llama3_1"), path, GgufType.Q8_0);
            string target = TestData.TempDirectory();
            GgufImporter.WriteTokenizerFolder(path, target);
            var back = HfTokenizer.Load(target);
            var original = HfTestData.Tokenizer("llama3_1");
            Assert.Equal((original.BosId, original.EosId, original.VocabSize), (back.BosId, back.EosId, back.VocabSize));
            Assert.Equal(original.SpecialTokensPrefix, back.SpecialTokensPrefix);
            foreach (var (text, ids, _) in HfTestData.Golden("llama3_1")) Assert.Equal(ids, back.EncodeAsHf(text, addSpecialTokens: false));
            var config = HfTokenizerConfig.Read(target);
            Assert.Equal(HfTokenizerConfig.Read(HfTestData.Folder("llama3_1")).ChatTemplates["default"], config.ChatTemplates["default"]);
        }
    }

    [Fact]
    public void ToHfFolder_LoadsWithFromPretrained()
    {
        string folder = TestData.Path("stories260K");
        using var model = LlamaForCausalLM.FromPretrained(folder);
        string path = TestData.TempFile("s.gguf");
        GgufExporter.Export(model, folder, path, GgufType.F32);
        string target = TestData.TempDirectory();
        GgufImporter.ToHfFolder(path, target);
        using var back = LlamaForCausalLM.FromPretrained(target);
        Assert.Equal(0f, MaxLogitDiff(model, back, [1, 400, 300, 200]));
        Assert.NotNull(TokenizerLoader.TryFind(target));
    }

    [Fact]
    public void OtherArchitecture_IsRefusedNamingIt()
    {
        var w = new GgufWriter();
        w.AddString("general.architecture", "qwen2");
        w.AddTensor("token_embd.weight", [4, 8], GgmlType.F32);
        using var s = new MemoryStream();
        w.WriteHeader(s);
        w.WriteTensor(s, "token_embd.weight", sink => sink(new byte[128]));
        string path = GgufTestFiles.Save(s.ToArray());
        var e = Assert.Throws<GgufFormatException>(() => GgufImporter.Load(path));
        Assert.Contains("qwen2", e.Message);
        Assert.Equal("general.architecture", e.Field);
    }
}
