using System.Text.Json;
using Prem.Llm.Modeling;
using Prem.Llm.Text;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

public class ChatReadyCommandTests
{
    /// <summary>The repository root (the folder with Prem.Llm.sln), found from the test assembly.</summary>
    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Prem.Llm.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void Makes_a_base_model_chat_ready_and_the_tiny_sft_config_trains_on_the_shipped_data()
    {
        string dir = TestData.TempDirectory();
        string chat = Path.Combine(dir, "stories260K-chat");
        var made = CliRun.Prem("chat-ready", "--model", Stories, "--output", chat);
        Assert.True(made.Exit == 0, made.Err);

        using (var model = LlamaForCausalLM.FromPretrained(chat))
        {
            Assert.Equal(516, model.Config.VocabSize);
            Assert.Equal(new[] { 2, 514 }, model.Config.EosTokenIds);
            Assert.Equal(515, model.Config.PadTokenId);
        }
        var tokenizer = TokenizerLoader.Load(chat);
        Assert.Equal(512, tokenizer.TokenToId("<|start_header_id|>"));
        Assert.Equal(514, tokenizer.TokenToId("<|eot_id|>"));
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(chat, "tokenizer_config.json"))))
            Assert.Contains("<|start_header_id|>", config.RootElement.GetProperty("chat_template").GetString());
        Assert.Equal(1, CliRun.Prem("chat-ready", "--model", chat, "--output", Path.Combine(dir, "again")).Exit);

        string root = RepoRoot();
        var sft = CliRun.Prem("sft", "--config", Path.Combine(root, "samples", "configs", "tiny-sft.yaml"),
            "--set", $"model.model_args.model_name={chat}", "--set", $"data.train_path={Path.Combine(root, "data", "tiny-sft.jsonl")}",
            "--set", $"output_dir={Path.Combine(dir, "sft")}");
        Assert.True(sft.Exit == 0, sft.Err);
        var dpo = CliRun.Prem("dpo", "--config", Path.Combine(root, "samples", "configs", "tiny-dpo.yaml"),
            "--set", $"model_name_or_path={chat}", "--set", $"train_path={Path.Combine(root, "data", "tiny-dpo.jsonl")}",
            "--set", $"output_dir={Path.Combine(dir, "dpo")}");
        Assert.True(dpo.Exit == 0, dpo.Err);
    }

    [Fact]
    public void The_tiny_pretrain_config_trains_on_the_shipped_corpus()
    {
        string root = RepoRoot(), dir = TestData.TempDirectory();
        string corpus = Path.Combine(root, "data", "tiny-corpus");
        var run = CliRun.Prem("pretrain", "--config", Path.Combine(root, "samples", "configs", "tiny-pretrain.yaml"),
            "--set", $"data.train_path={corpus}", "--set", $"data.val_path={corpus}", "--set", $"output_dir={Path.Combine(dir, "pt")}");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("done: 6 steps", run.Out);
    }

    [Fact]
    public void A_base_generation_config_gains_the_eot_stop_id()
    {
        string dir = TestData.TempDirectory();
        string source = Path.Combine(dir, "base");
        Directory.CreateDirectory(source);
        foreach (var file in Directory.EnumerateFiles(Stories)) File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(source, "generation_config.json"), """{"eos_token_id": 2, "do_sample": true, "temperature": 0.7}""");
        string chat = Path.Combine(dir, "chat");
        var made = CliRun.Prem("chat-ready", "--model", source, "--output", chat);
        Assert.True(made.Exit == 0, made.Err);
        using var model = LlamaForCausalLM.FromPretrained(chat);
        Assert.Equal([2, 514], model.GenerationConfig!.EosTokenIds);
        Assert.Equal((515, 0.7), (model.GenerationConfig.PadTokenId, model.GenerationConfig.Temperature));
    }
}
