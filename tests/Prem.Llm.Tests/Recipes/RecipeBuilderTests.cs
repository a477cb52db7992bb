using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Recipes;
using Prem.Llm.Tests.Cli;

namespace Prem.Llm.Tests.Recipes;

public class RecipeBuilderTests
{
    internal static TrainingRecipe Tiny(string corpus, string output, LightningTrainerArgs? trainer = null, int vocab = 512) => new()
    {
        Kind = RecipeKind.Pretrain,
        Model = new ModelArgs
        {
            Config = new LlamaConfig { HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1, HeadDim = 8, VocabSize = vocab },
            MaxPositionEmbeddings = 96,
        },
        Data = new DataArgs { TrainPath = corpus, ValPath = corpus, BatchSize = 2, MaxSeqLength = 16 },
        Trainer = trainer ?? new LightningTrainerArgs { AccumulateGradBatches = 2, Precision = Prem.Llm.Training.TrainingPrecision.Float32 },
        OutputDir = output,
    };

    [Fact]
    public void Build_gives_the_pieces_without_training()
    {
        string dir = TestData.TempDirectory();
        string corpus = RecipeTestData.PreparedCorpus(dir);
        using var run = RecipeBuilder.Build(Tiny(corpus, Path.Combine(dir, "o")));
        Assert.Equal(96, run.Model.Config.MaxPositionEmbeddings);
        Assert.IsType<CausalLmObjective>(run.Objective);
        Assert.NotNull(run.Validation);
        Assert.Equal(2, run.Options.AccumulationSteps);
        Assert.Equal("sdpa", run.Attention);
        // Nothing is written before Run.
        Assert.False(Directory.Exists(Path.Combine(dir, "o")));
        // Windows of 16 tokens (+1 target) over the train split, two per batch.
        run.Train.StartEpoch(0, 1);
        using var batch = run.Train.Next()!;
        Assert.Equal([2L, 16L], Assert.IsType<CausalLmBatch>(batch).InputIds.shape);
        Assert.Equal(typeof(CausalLmBatch), run.Train.BatchType);
    }

    [Fact]
    public void Limit_train_batches_shortens_the_epoch()
    {
        string dir = TestData.TempDirectory();
        string corpus = RecipeTestData.PreparedCorpus(dir);
        using var full = RecipeBuilder.Build(Tiny(corpus, dir));
        using var limited = RecipeBuilder.Build(Tiny(corpus, dir, new LightningTrainerArgs { LimitTrainBatches = BatchAmount.Batches(3) }));
        Assert.True(full.Train.BatchesPerEpoch > 3);
        Assert.Equal(3, limited.Train.BatchesPerEpoch);
    }

    [Fact]
    public void A_model_vocabulary_smaller_than_the_data_is_named()
    {
        string dir = TestData.TempDirectory();
        string corpus = RecipeTestData.PreparedCorpus(dir);
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Tiny(corpus, dir, vocab: 100)));
        Assert.Equal("model.model_args.config.vocab_size", e.KeyPath);
        Assert.Contains("(100)", e.Message);
    }

    [Fact]
    public void Cuda_is_refused_naming_the_key()
    {
        var recipe = Tiny("/unused", "/unused", new LightningTrainerArgs { Accelerator = Accelerator.Cuda });
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(recipe));
        Assert.Equal("trainer.accelerator", e.KeyPath);
    }

    [Fact]
    public void A_missing_model_folder_is_named()
    {
        string dir = TestData.TempDirectory();
        string corpus = RecipeTestData.PreparedCorpus(dir);
        var recipe = Tiny(corpus, dir) with { Model = new ModelArgs { ModelName = "/no/such/model" } };
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(recipe));
        Assert.Equal("model.model_args.model_name: model folder not found: /no/such/model", e.Message);
    }

    [Fact]
    public void A_used_run_folder_is_refused_before_the_data_and_the_model_are_read()
    {
        string dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), "{\"step\":1}\n");
        // The data folder does not exist either: the run folder is checked first, so that is not what fails.
        var e = Assert.Throws<Prem.Llm.Training.TrainingException>(() => RecipeBuilder.Build(Tiny(Path.Combine(dir, "no-corpus"), dir)));
        Assert.Contains("this run folder already holds a run", e.Message);
        var data = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Tiny(Path.Combine(dir, "no-corpus"), dir) with { Overwrite = true }));
        Assert.Equal("data.train_path", data.KeyPath);
        Assert.True(File.Exists(Path.Combine(dir, "metrics.jsonl")));   // overwriting deletes only when the run starts
    }
}
