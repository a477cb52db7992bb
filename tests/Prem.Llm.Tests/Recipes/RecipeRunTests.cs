using Prem.Llm.Recipes;
using Prem.Llm.Training;
using Prem.Llm.Tests.Cli;
using Prem.Llm.Tests.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Recipes;

public class RecipeRunTests
{
    [Fact]
    public void Run_exports_the_same_folder_as_Trainer_ExportModel()
    {
        string dir = TestData.TempDirectory();
        string corpus = RecipeTestData.PreparedCorpus(dir);
        string tokenizer = ModelExporterTests.FullTokenizerFolder();
        var recipe = RecipeBuilderTests.Tiny(corpus, Path.Combine(dir, "run"),
            new LightningTrainerArgs { AccumulateGradBatches = 1, MaxSteps = 1, LimitValBatches = BatchAmount.Batches(1), Precision = TrainingPrecision.Float32 });
        recipe = recipe with { Model = recipe.Model with { Dtype = "bfloat16" }, Data = recipe.Data with { DatasetTokenizer = tokenizer } };
        using var run = RecipeBuilder.Build(recipe);
        Assert.Equal(tokenizer, run.TokenizerDirectory);
        Assert.Equal(ScalarType.BFloat16, run.ExportDtype);

        var result = run.Run();
        Assert.Equal(run.FinalModelDirectory, result.ExportDirectory);

        string direct = Path.Combine(dir, "direct");
        using (var trainer = new Trainer(run.Model, run.Objective, run.Train, run.Options with { Checkpoint = new() }))
            trainer.ExportModel(direct, tokenizer, ScalarType.BFloat16);
        var names = ModelExporterTests.FileNames(direct);
        Assert.Equal(names, ModelExporterTests.FileNames(run.FinalModelDirectory));
        Assert.Contains("tokenizer.model", names);
        Assert.Contains("config.json", names);
        foreach (var name in names)
            Assert.Equal(File.ReadAllBytes(Path.Combine(direct, name)), File.ReadAllBytes(Path.Combine(run.FinalModelDirectory, name)));
    }
}
