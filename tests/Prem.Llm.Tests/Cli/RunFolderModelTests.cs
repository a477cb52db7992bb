using System.Text.Json;
using System.Text.Json.Nodes;
using Prem.Llm.Modeling;
using static Prem.Llm.Tests.Cli.RecipeTestData;

namespace Prem.Llm.Tests.Cli;

/// <summary>Every model folder a pretraining run writes (final/ and each checkpoint) loads and generates on its own.</summary>
public class RunFolderModelTests
{
    [Fact]
    public void Final_and_checkpoint_folders_of_a_recipe_run_load_and_generate_from_a_text_prompt()
    {
        string dir = TestData.TempDirectory();
        string input = Path.Combine(dir, "corpus.jsonl"), corpus = Path.Combine(dir, "corpus"), run = Path.Combine(dir, "run");
        File.WriteAllLines(input, Enumerable.Range(0, 120).Select(i => JsonSerializer.Serialize(new { text = $"Once upon a time, Lily had {i} red balls. Tom liked them very much." })));
        var prepared = CliRun.Prem("prepare", "--tokenizer", Path.Combine(Stories, "tokenizer.model"), "--input", input, "--output", corpus,
            "--seq-len", "32", "--workers", "1");
        Assert.True(prepared.Exit == 0, prepared.Err);
        // prepare keeps the tokenizer with the shards, so a run that names none still exports a complete model folder.
        Assert.True(File.Exists(Path.Combine(corpus, "tokenizer", "tokenizer.model")));

        var (exit, _, err) = CliRun.Prem("pretrain", "--config", Config("tiny-pretrain.yaml"),
            "--set", $"data.train_path={corpus}", "--set", $"data.val_path={corpus}", "--set", $"output_dir={run}",
            "--set", "trainer.max_steps=2", "--set", "trainer.save_every_n_steps=1");
        Assert.True(exit == 0, err);

        string final = Path.Combine(run, "final"), checkpoint = Path.Combine(run, "checkpoints", "step-00000001");
        foreach (var folder in new[] { final, checkpoint })
        {
            Assert.True(File.Exists(Path.Combine(folder, "tokenizer.model")), folder);
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
            // The tiny config block names no special tokens: they come from the prepared corpus (stories260K: <s> = 1, </s> = 2).
            Assert.Equal(1, (int)config["bos_token_id"]!);
            Assert.Equal(2, (int)config["eos_token_id"]!);
            using (var model = LlamaForCausalLM.FromPretrained(folder))
                Assert.Equal(2, model.Config.NumHiddenLayers);
            var generated = CliRun.Prem("generate", "--model", folder, "--prompt", "Once upon a time", "--max-new-tokens", "4", "--temperature", "0");
            Assert.True(generated.Exit == 0, $"{folder}: {generated.Err}");
        }
    }
}
