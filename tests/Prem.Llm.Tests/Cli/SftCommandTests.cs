using Prem.Llm.Modeling;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

public class SftCommandTests
{
    [Fact]
    public void Fine_tunes_stories260K_on_conversations_and_exports_bf16_with_the_tokenizer()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string data = SftJsonl(dir), run = Path.Combine(dir, "run");
        var (exit, output, err) = CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"),
            "--set", $"model.model_args.model_name={model}", "--set", $"data.train_path={data}", "--set", $"data.val_path={data}",
            "--set", $"output_dir={run}", "--set", "model.model_args.dtype=bfloat16");
        Assert.True(exit == 0, err);
        Assert.Contains("step 4/4 | loss", output);
        var steps = StepLines(run);
        Assert.Equal(4, steps.Count);
        Assert.All(steps, s => Assert.True(double.IsFinite((double)s["loss"]!) && (double)s["loss"]! > 0));

        string final = Path.Combine(run, "final");
        Assert.True(File.Exists(Path.Combine(final, "tokenizer.model")));
        Assert.Contains("\"bfloat16\"", File.ReadAllText(Path.Combine(final, "config.json")));
        using var trained = LlamaForCausalLM.FromPretrained(final);
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, trained.Dtype);
        Assert.Equal(516, trained.Config.VocabSize);
    }

    [Fact]
    public void A_missing_jsonl_file_is_named()
    {
        var (exit, _, err) = CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"),
            "--set", $"model.model_args.model_name={Stories}", "--set", "data.train_path=/no/such.jsonl");
        Assert.Equal(1, exit);
        Assert.Equal("prem: error: data.train_path: file not found: /no/such.jsonl", err.Trim());
    }

    [Fact]
    public void Non_utf8_jsonl_names_file_and_offset_or_with_the_recipe_key_is_replaced_and_counted()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string data = SftJsonl(dir), run = Path.Combine(dir, "run");
        byte[] bytes = File.ReadAllBytes(data);
        int offset = Array.IndexOf(bytes, (byte)'?');
        bytes[offset] = 0xBF;   // a Latin-1 "¿": a continuation byte with no lead
        File.WriteAllBytes(data, bytes);
        string[] args = ["sft", "--config", Config("tiny-sft.yaml"), "--set", $"model.model_args.model_name={model}",
            "--set", $"data.train_path={data}", "--set", $"output_dir={run}", "--set", "trainer.max_steps=1"];

        var (exit, _, err) = CliRun.Prem(args);
        Assert.Equal(1, exit);
        Assert.Equal($"prem: error: {data}: not valid UTF-8 at byte offset {offset} (save the file as UTF-8)", err.Trim());

        var (ok, output, notes) = CliRun.Prem([.. args, "--set", "data.replace_invalid_utf8=true"]);
        Assert.True(ok == 0, notes);
        Assert.Contains($"notice: {data}: 1 invalid UTF-8 sequence replaced with U+FFFD (data.replace_invalid_utf8).", notes);
        Assert.Contains("done: 1 steps", output);
    }

    [Fact]
    public void The_replace_key_is_refused_for_pretraining_which_reads_prepared_shards()
    {
        var (exit, _, err) = CliRun.Prem("pretrain", "--config", Config("tiny-pretrain.yaml"), "--set", "data.replace_invalid_utf8=true");
        Assert.Equal(1, exit);
        Assert.Contains("replace_invalid_utf8: applies to SFT's JSONL files", err);
        Assert.Contains("prem prepare --replace-invalid-utf8", err);
    }
}

public class SftCommandLoraTests
{
    [Fact]
    public void Lora_sft_on_chat_ready_stories260K_learns_and_writes_the_peft_folder_and_the_merged_model()
    {
        string dir = TestData.TempDirectory();
        string model = StoriesChat(dir);
        string data = SftJsonl(dir), run = Path.Combine(dir, "run");
        var (exit, output, err) = CliRun.Prem("sft", "--config", Config("tiny-sft.yaml"),
            "--set", $"model.model_args.model_name={model}", "--set", $"data.train_path={data}", "--set", $"output_dir={run}",
            "--set", "model.model_args.use_peft=true", "--set", "model.model_args.lora_r=8", "--set", "model.model_args.lora_alpha=16",
            "--set", "model.model_args.lora_target_modules=all-linear", "--set", "model.model_args.lora_modules_to_save=embed_tokens",
            "--set", "model.model_args.merge_adapter=true", "--set", "trainer.max_steps=30", "--set", "trainer.max_epochs=10",
            "--set", "model.optimizer_args.lr=0.01");
        Assert.True(exit == 0, err + output);
        var losses = StepLines(run).Select(s => (double)s["loss"]!).ToList();
        Assert.True(losses.TakeLast(5).Average() < 0.6 * losses.Take(5).Average(), string.Join(", ", losses));

        // The final folder is PEFT's: the adapter (with the tokenizer), not a model.
        string final = Path.Combine(run, "final");
        Assert.True(File.Exists(Path.Combine(final, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(final, "adapter_model.safetensors")));
        Assert.False(File.Exists(Path.Combine(final, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(final, "tokenizer.model")));

        // Answers change as trained: the assistant turns of the conversations are far more likely with the adapter,
        // and the merged model gives the adapter's logits.
        var tokenizer = Prem.Llm.Text.TokenizerLoader.Load(model);
        var set = Prem.Llm.Data.SftDataset.Load(data, tokenizer, new Prem.Llm.Data.SftOptions { Template = Prem.Llm.Text.ChatTemplateChoice.Resolve(null, model, tokenizer) });
        using var batch = new Prem.Llm.Data.SftCollator(set.PadId).Collate(set.Rows.Take(8).ToList());
        double Loss(LlamaForCausalLM m)
        {
            using var noGrad = TorchSharp.torch.no_grad();
            return new Prem.Llm.Objectives.CausalLmObjective().Compute(m, batch, new Prem.Llm.Objectives.CausalLmObjective().CountUnits(batch)).Loss.item<float>();
        }
        using var baseModel = LlamaForCausalLM.FromPretrained(model);
        baseModel.eval();   // no LoRA dropout when evaluating
        double before = Loss(baseModel);
        using var lora = Prem.Llm.Adapters.LoraModel.Load(baseModel, final);
        double after = Loss(baseModel);
        Assert.True(after < 0.6 * before, $"assistant loss {before} → {after}");
        using var merged = LlamaForCausalLM.FromPretrained(Path.Combine(run, "merged"));
        Assert.Equal(after, Loss(merged), 3);
        Assert.True(File.Exists(Path.Combine(run, "merged", "tokenizer.model")));
    }
}
