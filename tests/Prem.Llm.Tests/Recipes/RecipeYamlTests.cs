using Prem.Llm.Objectives;
using Prem.Llm.Recipes;
using Prem.Llm.Training;

namespace Prem.Llm.Tests.Recipes;

public class RecipeYamlTests
{
    static readonly string[] _out = ["output_dir=runs/x"];

    [Fact]
    public void The_recipes_pretraining_block_means_its_trainer_options()
    {
        var recipe = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, _out);
        var o = recipe.ToTrainerOptions(trainBatchesPerEpoch: 1_000_000, valBatchesPerEpoch: 500);
        Assert.Equal(4e-4, o.Optimizer.LearningRate);
        Assert.Equal(0.9, o.Optimizer.Beta1);
        Assert.Equal(0.95, o.Optimizer.Beta2);
        Assert.Equal(0.1, o.Optimizer.WeightDecay);
        Assert.Equal(0.1, o.Schedule.WarmupFraction);
        Assert.Equal(LearningRateDecay.Cosine, o.Schedule.Decay);
        Assert.Equal(1.0, o.Optimizer.GradientClipNorm);
        Assert.Equal(16, o.AccumulationSteps);
        Assert.Equal(TrainingPrecision.Bf16Mixed, o.Precision.Mode);
        Assert.Equal(2, o.Schedule.MaxEpochs);
        Assert.Null(o.Schedule.MaxSteps);
        Assert.Equal(1, o.LogEveryNSteps);
        // Lightning counts val_check_interval in training batches: 92000 batches / 16 per step.
        Assert.Equal(92000 / 16, o.ValidateEveryNSteps);
        Assert.Null(o.LimitValidationBatches);
        Assert.Equal("runs/x", o.Checkpoint.OutputDir);

        Assert.Equal("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", recipe.Model.ModelName);
        Assert.Equal(8192, recipe.Model.MaxPositionEmbeddings);
        Assert.Equal("flash", recipe.Model.Attention);
        Assert.Equal("bfloat16", recipe.Model.Dtype);
        Assert.Equal("<train_data>", recipe.Data.TrainPath);
        Assert.Equal("<train_data>", recipe.Data.ValPath);
        Assert.Equal(8192, recipe.Data.MaxSeqLength);
        Assert.Equal(2, recipe.Data.BatchSize);
        Assert.Equal(Accelerator.Auto, recipe.Trainer.Accelerator);
        Assert.Equal(1, recipe.Trainer.ReloadDataloadersEveryNEpochs);
        Assert.True(recipe.Trainer.LimitTrainBatches.IsAll(123));
    }

    [Fact]
    public void The_recipes_dpo_block_means_its_trainer_and_objective_settings()
    {
        var recipe = RecipeYaml.ParseDpo(Prem1BRecipes.Dpo, ["model_name_or_path=m", "train_path=t.jsonl", "output_dir=o"]);
        Assert.Equal(0.01, recipe.Beta);
        Assert.Equal(DpoLossType.Sigmoid, recipe.LossType);
        Assert.Equal(8192, recipe.MaxLength);
        Assert.Equal(1000, recipe.MaxPromptLength);
        Assert.Equal(2, recipe.PerDeviceTrainBatchSize);
        Assert.True(recipe.PrecomputeRefLogProbs);
        var o = recipe.ToTrainerOptions();
        Assert.Equal(4e-6, o.Optimizer.LearningRate);
        Assert.Equal(LearningRateDecay.Cosine, o.Schedule.Decay);
        Assert.Equal(0.1, o.Schedule.WarmupFraction);
        Assert.Equal(4, o.AccumulationSteps);
        Assert.Equal(1, o.Schedule.MaxEpochs);
        Assert.Equal(42, o.Seed);
        Assert.Equal(TrainingPrecision.Bf16Mixed, o.Precision.Mode);
        Assert.True(o.Precision.ActivationCheckpointing);
        // HF TrainingArguments' AdamW defaults where the Prem-1B recipe gives none.
        Assert.Equal(0.999, o.Optimizer.Beta2);
        Assert.Equal(0.0, o.Optimizer.WeightDecay);
    }

    [Theory]
    [InlineData("prem-1b-pretrain.yaml", RecipeKind.Pretrain, 4e-4, 2)]
    [InlineData("prem-1b-sft.yaml", RecipeKind.Sft, 5e-5, 3)]
    public void The_sample_configs_keep_the_recipes_values(string file, RecipeKind kind, double lr, int epochs)
    {
        var recipe = RecipeYaml.LoadTraining(Path.Combine(AppContext.BaseDirectory, "configs", file), kind);
        var seed = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, _out);
        Assert.Equal(lr, recipe.Optimizer.Lr);
        Assert.Equal(epochs, recipe.Trainer.MaxEpochs);
        Assert.Equal(seed.Trainer with { MaxEpochs = epochs }, recipe.Trainer);
        Assert.Equal(seed.Scheduler, recipe.Scheduler);
        Assert.Equal(seed.Optimizer with { Lr = lr }, recipe.Optimizer);
    }

    [Fact]
    public void The_sample_dpo_config_is_the_seeds_block()
    {
        var sample = RecipeYaml.LoadDpo(Path.Combine(AppContext.BaseDirectory, "configs", "prem-1b-dpo.yaml"));
        var seed = RecipeYaml.ParseDpo(Prem1BRecipes.Dpo, ["model_name_or_path=m", "train_path=t", "output_dir=o"]);
        Assert.Equal(seed with { ModelNameOrPath = sample.ModelNameOrPath, TrainPath = sample.TrainPath, OutputDir = sample.OutputDir }, sample);
    }

    [Theory]
    [InlineData("bf16-mixed", TrainingPrecision.Bf16Mixed)]
    [InlineData("32", TrainingPrecision.Float32)]
    [InlineData("32-true", TrainingPrecision.Float32)]
    [InlineData("fp32", TrainingPrecision.Float32)]
    [InlineData("bf16", TrainingPrecision.Bf16)]
    [InlineData("bf16-true", TrainingPrecision.Bf16)]
    public void Precision_names_map_to_the_trainers(string name, TrainingPrecision expected)
    {
        var recipe = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, [.. _out, $"trainer.precision={name}"]);
        Assert.Equal(expected, recipe.Trainer.Precision);
    }

    [Theory]
    [InlineData("1.0", null)]
    [InlineData("0.5", 50)]
    [InlineData("3", 3)]
    public void Limit_val_batches_is_all_a_fraction_or_a_count(string value, int? expected)
    {
        var recipe = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, [.. _out, $"trainer.limit_val_batches={value}"]);
        Assert.Equal(expected, recipe.ToTrainerOptions(1000, valBatchesPerEpoch: 100).LimitValidationBatches);
    }

    [Fact]
    public void Flash_attention_false_and_an_explicit_backend_are_honoured()
    {
        Assert.Equal("sdpa", RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, [.. _out, "model.model_args.flash_attention=false"]).Model.Attention);
        var eager = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, [.. _out, "model.model_args.flash_attention=false", "model.model_args.attention=eager"]);
        Assert.Equal("eager", eager.Model.Attention);
    }

    [Fact]
    public void A_config_block_is_read_with_config_json_rules()
    {
        string yaml = """
            model:
              model_args:
                config: {hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 100}
                max_position_embeddings: 256
            data: {train_path: d}
            output_dir: o
            """;
        var recipe = RecipeYaml.ParseTraining(yaml, RecipeKind.Pretrain);
        var config = recipe.Model.Config!;
        Assert.Equal(64, config.HiddenSize);
        Assert.Equal(4, config.NumKeyValueHeads); // config.json's default: as many KV heads as query heads
        Assert.Equal(16, config.HeadDim);
        Assert.Null(recipe.Model.ModelName);
        Assert.Equal(256, recipe.Model.MaxPositionEmbeddings);
    }

    [Fact]
    public void Max_steps_minus_one_means_no_limit_as_in_lightning()
    {
        var recipe = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, [.. _out, "trainer.max_steps=-1"]);
        Assert.Null(recipe.Trainer.MaxSteps);
    }
}
