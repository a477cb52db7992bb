using Prem.Llm.Modeling;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

public class PretrainCommandTests
{
    static (int Exit, string Out, string Err) Pretrain(string corpus, string run, params string[] sets) =>
        CliRun.Prem([
            "pretrain", "--config", Config("tiny-pretrain.yaml"),
            "--set", $"data.train_path={corpus}", "--set", $"data.val_path={corpus}", "--set", $"data.dataset_tokenizer={Stories}",
            "--set", $"output_dir={run}", .. sets.SelectMany(s => new[] { "--set", s }),
        ]);

    [Fact]
    public void Flash_attention_on_the_cpu_is_an_error_naming_the_key()
    {
        string dir = TestData.TempDirectory();
        var (exit, _, err) = Pretrain(PreparedCorpus(dir), Path.Combine(dir, "run"), "model.model_args.flash_attention=true", "trainer.accelerator=cpu");
        Assert.Equal(1, exit);
        Assert.StartsWith("prem: error: model.model_args.flash_attention: flash attention runs on CUDA only", err);
        Assert.Contains("flash_reference", err);
    }

    [Theory]
    [InlineData("trainer.accelerator=cuda", null, "prem: error: trainer.accelerator: cuda:0 was asked for, but LibTorch sees no CUDA device")]
    [InlineData("trainer.accelerator=gpu", null, "prem: error: trainer.accelerator: cuda:0 was asked for")]
    [InlineData("trainer.accelerator=cpu", "cuda:1", "prem: error: --device: cuda:1 was asked for, but LibTorch sees no CUDA device")]
    [InlineData("trainer.accelerator=cpu", "tpu", "prem: error: --device: expected cpu, cuda or cuda:N, got \"tpu\"")]
    public void Cuda_without_a_cuda_libtorch_is_an_error_naming_the_setting(string accelerator, string? device, string expected)
    {
        // The test host carries the CPU LibTorch, so LibTorch sees no CUDA device here whatever the machine has.
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), run = Path.Combine(dir, "run");
        var (exit, _, err) = CliRun.Prem([
            "pretrain", "--config", Config("tiny-pretrain.yaml"), "--set", $"data.train_path={corpus}", "--set", $"data.val_path={corpus}",
            "--set", $"data.dataset_tokenizer={Stories}", "--set", $"output_dir={run}", "--set", accelerator,
            .. device is null ? Array.Empty<string>() : ["--device", device],
        ]);
        Assert.Equal(1, exit);
        Assert.StartsWith(expected, err);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Pretrains_a_tiny_model_from_a_config_block_and_exports_it_with_the_tokenizer()
    {
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), run = Path.Combine(dir, "run");
        var (exit, output, err) = Pretrain(corpus, run);
        Assert.True(exit == 0, err);
        Assert.Contains("step 6/6 | loss", output);
        Assert.Contains("step 6/6 | val loss", output);
        Assert.Contains("\"val/loss\"", File.ReadAllText(Path.Combine(run, "metrics.jsonl")));

        var steps = StepLines(run);
        Assert.Equal([1, 2, 3, 4, 5, 6], steps.Select(s => (int)s["step"]!));
        // A fresh model predicts about uniformly over the 512-token vocabulary: loss ≈ ln 512.
        Assert.InRange((double)steps[0]["loss"]!, Math.Log(512) - 0.5, Math.Log(512) + 0.5);
        Assert.True((double)steps[^1]["loss"]! < (double)steps[0]["loss"]!);
        Assert.True(File.Exists(Path.Combine(run, "curves.png")));

        string final = Path.Combine(run, "final");
        Assert.True(File.Exists(Path.Combine(final, "tokenizer.model")));
        using var model = LlamaForCausalLM.FromPretrained(final);
        Assert.Equal(2, model.Config.NumHiddenLayers);
        Assert.Equal(64, model.Config.MaxPositionEmbeddings);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_reproduces_the_uninterrupted_losses_and_latest_continues()
    {
        string dir = TestData.TempDirectory();
        string corpus = PreparedCorpus(dir), full = Path.Combine(dir, "full"), resumed = Path.Combine(dir, "resumed");
        Assert.Equal(0, Pretrain(corpus, full, "trainer.max_steps=4", "trainer.save_every_n_steps=2").Exit);
        var checkpoint = Path.Combine(full, "checkpoints", "step-00000002");
        var (exit, _, err) = Pretrain(corpus, resumed, "trainer.max_steps=4", $"resume_from={checkpoint}");
        Assert.True(exit == 0, err);
        var expected = StepLines(full).Where(s => (int)s["step"]! > 2).Select(s => (double)s["loss"]!);
        Assert.Equal(expected, StepLines(resumed).Select(s => (double)s["loss"]!));

        var (again, output, err2) = Pretrain(corpus, full, "trainer.max_steps=6", "resume_from=latest");
        Assert.True(again == 0, err2);
        Assert.Contains("done: 6 steps", output);
        Assert.DoesNotContain("step 4/6 |", output);
        Assert.Contains("step 5/6 |", output);
    }

    [Fact]
    public void A_bad_key_fails_with_one_line_naming_it()
    {
        var (exit, output, err) = CliRun.Prem("pretrain", "--config", Config("tiny-pretrain.yaml"), "--set", "trainer.precisionn=32");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("prem: error: --set: trainer.precisionn: unknown key", err.Trim());
    }

    [Fact]
    public void A_missing_data_folder_is_named()
    {
        var (exit, _, err) = CliRun.Prem("pretrain", "--config", Config("tiny-pretrain.yaml"), "--set", "data.train_path=/no/such/corpus");
        Assert.Equal(1, exit);
        Assert.StartsWith("prem: error: data.train_path: folder not found: /no/such/corpus", err.Trim());
    }

    [Fact]
    public void Config_is_required()
    {
        var (exit, _, err) = CliRun.Prem("pretrain");
        Assert.NotEqual(0, exit);
        Assert.Contains("--config", err);
    }
}
