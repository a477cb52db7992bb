using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

/// <summary>Every kind of bad recipe names the file, the line and the key path.</summary>
public class YamlSectionTests
{
    static readonly string[] _out = ["output_dir=o"];

    /// <summary>The 1-based line of the first line containing <paramref name="text"/>.</summary>
    static int LineOf(string yaml, string text) =>
        yaml.Split('\n').Select((line, i) => (line, i)).First(x => x.line.Contains(text, StringComparison.Ordinal)).i + 1;

    static RecipeException Fails(string yaml, params string[] sets) =>
        Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(yaml, RecipeKind.Pretrain, [.. _out, .. sets], "seed.yaml"));

    [Theory]
    [InlineData("  precision: bf16-mixed", "  precisionn: bf16-mixed", "trainer.precisionn")]
    [InlineData("    lr: 0.0004", "    lrr: 0.0004", "model.optimizer_args.lrr")]
    [InlineData("    num_warmup_percentage: 0.1", "    warmup: 0.1", "model.lr_scheduler_args.warmup")]
    [InlineData("    dtype: bfloat16", "    dtypo: bfloat16", "model.model_args.dtypo")]
    [InlineData("  batch_size: 2", "  batchsize: 2", "data.batchsize")]
    [InlineData("  optimizer_args:", "  optimiser_args:", "model.optimiser_args")]
    [InlineData("data:", "dataa:", "dataa")]
    public void An_unknown_key_at_any_level_is_named_with_its_line(string original, string misspelt, string path)
    {
        string yaml = Prem1BRecipes.Pretrain.Replace(original, misspelt);
        // A misspelt section leaves its required parent incomplete; add the real one back so only the typo is wrong.
        if (path == "dataa") yaml += "\ndata: {train_path: d}";
        var e = Fails(yaml);
        Assert.Equal($"seed.yaml:{LineOf(yaml, misspelt.Trim())}: {path}: unknown key", e.Message);
        Assert.Equal(path, e.KeyPath);
    }

    [Theory]
    [InlineData("    lr: 0.0004", "    lr: fast", "model.optimizer_args.lr", "expected a number, got \"fast\"")]
    [InlineData("    lr: 0.0004", "    lr: \"0.0004\"", "model.optimizer_args.lr", "expected a number, got \"0.0004\"")]
    [InlineData("  max_epochs: 2", "  max_epochs: two", "trainer.max_epochs", "expected an integer, got \"two\"")]
    [InlineData("  max_epochs: 2", "  max_epochs: 2.5", "trainer.max_epochs", "expected an integer, got \"2.5\"")]
    [InlineData("    flash_attention: true", "    flash_attention: yes please", "model.model_args.flash_attention", "expected true or false, got \"yes please\"")]
    [InlineData("    betas: [0.9, 0.95]", "    betas: 0.9", "model.optimizer_args.betas", "expected a list of 2 numbers, got \"0.9\"")]
    [InlineData("  precision: bf16-mixed", "  precision: fp64", "trainer.precision", "expected one of bf16-mixed, 32, 32-true, fp32, bf16, bf16-true, got \"fp64\"")]
    [InlineData("  accelerator: auto", "  accelerator: tpu", "trainer.accelerator", "expected one of auto, cpu, cuda, gpu, got \"tpu\"")]
    [InlineData("    dtype: bfloat16", "    dtype: float64", "model.model_args.dtype", "expected one of float32, bfloat16, got \"float64\"")]
    [InlineData("  limit_val_batches: 1.0", "  limit_val_batches: 1.5", "trainer.limit_val_batches", "a fraction must be in [0, 1], got 1.5")]
    [InlineData("  batch_size: 2", "  batch_size: 0", "data.batch_size", "must be positive, got 0")]
    [InlineData("  batch_size: 2", "  batch_size: [2]", "data.batch_size", "expected an integer, got a list")]
    [InlineData("trainer:", "trainer: fast", "trainer", "expected a mapping of keys, got \"fast\"")]
    public void A_wrong_type_or_value_is_named_with_its_line(string original, string bad, string path, string problem)
    {
        string yaml = Prem1BRecipes.Pretrain.Replace(original, bad);
        if (path == "trainer") yaml = yaml[..yaml.IndexOf("trainer: fast", StringComparison.Ordinal)] + "trainer: fast\n";
        var e = Fails(yaml);
        Assert.Equal($"seed.yaml:{LineOf(yaml, bad.Trim())}: {path}: {problem}", e.Message);
    }

    [Fact]
    public void A_wrong_list_item_names_its_index()
    {
        string yaml = Prem1BRecipes.Pretrain.Replace("[0.9, 0.95]", "[0.9, high]");
        var e = Fails(yaml);
        Assert.Equal($"seed.yaml:{LineOf(yaml, "high")}: model.optimizer_args.betas[1]: expected a number, got \"high\"", e.Message);
    }

    [Theory]
    [InlineData("  train_path: \"<train_data>\"\n", "data.train_path", "data:")]
    [InlineData("    model_name: TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T\n", "model.model_args.model_name", "model_args:")]
    public void A_missing_required_key_is_named_at_its_parents_line(string removed, string path, string parentLine)
    {
        string yaml = Prem1BRecipes.Pretrain.Replace(removed, "");
        var e = Fails(yaml);
        Assert.Equal(path, e.KeyPath);
        Assert.EndsWith($"{path}: required key missing", e.Message);
        Assert.StartsWith($"seed.yaml:{LineOf(yaml, parentLine)}", e.Message);
    }

    [Fact]
    public void A_missing_output_dir_is_an_error()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, null, "seed.yaml"));
        Assert.Equal("seed.yaml:1: output_dir: required key missing", e.Message);
    }

    [Fact]
    public void Model_name_and_config_together_are_refused()
    {
        var e = Fails(Prem1BRecipes.Pretrain, "model.model_args.config={hidden_size: 8}");
        Assert.Equal("model.model_args.config", e.KeyPath);
        Assert.Contains("not both", e.Message);
    }

    [Fact]
    public void A_bad_config_block_field_is_named_with_the_yaml_path_and_line()
    {
        string yaml = """
            model:
              model_args:
                config:
                  hidden_size: 64
                  intermediate_size: 128
                  num_hidden_layers: 2
                  num_attention_heads: 4
                  vocab_size: 100
                  hidden_act: gelu
            data: {train_path: d}
            output_dir: o
            """;
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(yaml, RecipeKind.Pretrain, null, "c.yaml"));
        Assert.StartsWith("c.yaml:9: model.model_args.config.hidden_act: ", e.Message);
        Assert.Contains("gelu", e.Message);
    }

    [Fact]
    public void Contradicting_attention_settings_are_refused()
    {
        var e = Fails(Prem1BRecipes.Pretrain, "model.model_args.attention=sdpa");
        Assert.Equal("--set: model.model_args.attention: \"sdpa\" contradicts flash_attention: true", e.Message);
    }

    [Fact]
    public void Malformed_yaml_and_duplicate_keys_name_the_line()
    {
        var bad = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining("model:\n  a: [1, 2\nb: 3\n", RecipeKind.Pretrain, null, "x.yaml"));
        Assert.StartsWith("x.yaml:", bad.Message);
        var dup = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining("output_dir: a\noutput_dir: b\n", RecipeKind.Pretrain, null, "x.yaml"));
        Assert.StartsWith("x.yaml:2", dup.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.LoadTraining("/no/such/recipe.yaml", RecipeKind.Pretrain));
        Assert.Equal("/no/such/recipe.yaml: config file not found", e.Message);
    }

    [Theory]
    [InlineData("betaa: 0.1", "betaa", "unknown key")]
    [InlineData("loss_type: kto", "loss_type", "expected one of sigmoid, ipo, hinge, robust, got \"kto\"")]
    [InlineData("lr_scheduler_type: polynomial", "lr_scheduler_type", "expected one of linear, cosine, cosine_with_min_lr, constant, constant_with_warmup, got \"polynomial\"")]
    [InlineData("optim: sgd", "optim", "expected one of adamw_torch, got \"sgd\"")]
    [InlineData("bf16: maybe", "bf16", "expected true or false, got \"maybe\"")]
    [InlineData("beta: 0", "beta", "must be positive, got 0")]
    [InlineData("max_prompt_length: 9000", "max_prompt_length", "must be less than max_length (8192), got 9000")]
    public void Dpo_errors_name_the_flat_key_and_line(string line, string path, string problem)
    {
        // Replace the recipe's own line for the key, or add the line when the recipe has no such key.
        string key = line[..line.IndexOf(':')];
        var lines = Prem1BRecipes.Dpo.Split('\n').ToList();
        int at = lines.FindIndex(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        if (at >= 0) lines[at] = line; else lines.Add(line);
        string yaml = string.Join('\n', lines) + "\nmodel_name_or_path: m\ntrain_path: t\noutput_dir: o";
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseDpo(yaml, null, "dpo.yaml"));
        Assert.Equal($"dpo.yaml:{LineOf(yaml, line)}: {path}: {problem}", e.Message);
    }

    [Fact]
    public void An_unknown_key_inside_gradient_checkpointing_kwargs_is_named()
    {
        string yaml = Prem1BRecipes.Dpo.Replace("  use_reentrant: False", "  use_reentrant: False\n  preserve_rng: true") + "\nmodel_name_or_path: m\ntrain_path: t\noutput_dir: o";
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseDpo(yaml, null, "dpo.yaml"));
        Assert.Equal($"dpo.yaml:{LineOf(yaml, "preserve_rng")}: gradient_checkpointing_kwargs.preserve_rng: unknown key", e.Message);
    }

    [Fact]
    public void A_missing_dpo_model_is_named()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseDpo(Prem1BRecipes.Dpo, ["train_path=t", "output_dir=o"], "dpo.yaml"));
        Assert.Equal("dpo.yaml:1: model_name_or_path: required key missing", e.Message);
    }
}
