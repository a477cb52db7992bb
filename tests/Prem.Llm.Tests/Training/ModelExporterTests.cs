using Prem.Llm.Modeling;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Training;

public class ModelExporterTests
{
    /// <summary>A folder with every tokenizer file an export copies, plus files it must not copy.</summary>
    internal static string FullTokenizerFolder()
    {
        string dir = TestData.TempDirectory();
        File.Copy(TestData.Path("stories260K", "tokenizer.model"), Path.Combine(dir, "tokenizer.model"));
        foreach (var name in new[] { "llama3.tiktoken", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "generation_config.json" })
            File.WriteAllText(Path.Combine(dir, name), $"{{\"file\": \"{name}\"}}");
        File.WriteAllText(Path.Combine(dir, "config.json"), "{\"not\": \"copied\"}");
        File.WriteAllText(Path.Combine(dir, "model.safetensors"), "not copied");
        File.WriteAllText(Path.Combine(dir, "README.md"), "not copied");
        return dir;
    }

    internal static string[] FileNames(string dir) => Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Copies_the_full_tokenizer_file_list_and_never_model_files()
    {
        string source = FullTokenizerFolder();
        Assert.Equal(
            ["added_tokens.json", "generation_config.json", "llama3.tiktoken", "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json"],
            ModelExporter.TokenizerFiles(source).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        using var model = TrainingFixtures.TinyModel(seed: 2);
        string dest = Path.Combine(TestData.TempDirectory(), "out");
        ModelExporter.Export(model, dest, source);
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "tokenizer.model")), File.ReadAllBytes(Path.Combine(dest, "tokenizer.model")));
        Assert.DoesNotContain("\"not\"", File.ReadAllText(Path.Combine(dest, "config.json")));
        Assert.False(File.Exists(Path.Combine(dest, "README.md")));
        using var reloaded = LlamaForCausalLM.FromPretrained(dest);
        Assert.Equal(model.Config.VocabSize, reloaded.Config.VocabSize);
    }

    [Fact]
    public void A_single_file_is_copied_and_a_missing_source_is_named_before_anything_is_written()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        string dest = Path.Combine(TestData.TempDirectory(), "out");
        ModelExporter.Export(model, dest, TestData.Path("stories260K", "tokenizer.model"));
        Assert.True(File.Exists(Path.Combine(dest, "tokenizer.model")));
        string other = Path.Combine(TestData.TempDirectory(), "other");
        var e = Assert.Throws<TrainingException>(() => ModelExporter.Export(model, other, "/no/such/tok"));
        Assert.Contains("/no/such/tok", e.Message);
        Assert.False(Directory.Exists(other));
    }

    [Fact]
    public void A_loaded_generation_config_is_exported_with_the_model()
    {
        using var model = TrainingFixtures.TinyModel(seed: 2);
        model.GenerationConfig = new GenerationConfig { EosTokenIds = [2, 40], DoSample = true, Temperature = 0.6 };
        string dest = Path.Combine(TestData.TempDirectory(), "out");
        ModelExporter.Export(model, dest);
        using var reloaded = LlamaForCausalLM.FromPretrained(dest);
        Assert.Equal([2, 40], reloaded.GenerationConfig!.EosTokenIds);
        Assert.Equal(0.6, reloaded.GenerationConfig.Temperature);
    }
}
