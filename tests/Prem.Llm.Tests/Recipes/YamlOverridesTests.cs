using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

public class YamlOverridesTests
{
    [Fact]
    public void Overrides_replace_nested_values_and_create_missing_sections()
    {
        var recipe = RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain,
            ["output_dir=o", "trainer.max_epochs=1", "model.optimizer_args.betas=[0.8, 0.99]", "model.lr_scheduler_args.min_lr=1e-5", "trainer.max_steps=7"]);
        Assert.Equal(1, recipe.Trainer.MaxEpochs);
        Assert.Equal(0.8, recipe.Optimizer.Beta1);
        Assert.Equal(0.99, recipe.Optimizer.Beta2);
        Assert.Equal(1e-5, recipe.Scheduler.MinLr);
        Assert.Equal(7, recipe.Trainer.MaxSteps);
        Assert.Equal(4e-4, recipe.Optimizer.Lr); // untouched siblings stay
    }

    [Fact]
    public void Overrides_add_sections_the_file_lacks_and_later_ones_win()
    {
        string yaml = "model:\n  model_args: {model_name: m}\ndata: {train_path: d}\noutput_dir: o\n";
        var recipe = RecipeYaml.ParseTraining(yaml, RecipeKind.Sft, ["trainer.seed=1", "trainer.seed=2", "data.val_path=v.jsonl"]);
        Assert.Equal(2, recipe.Trainer.Seed);
        Assert.Equal("v.jsonl", recipe.Data.ValPath);
    }

    [Fact]
    public void An_override_with_a_bad_value_is_reported_as_from_set()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, ["output_dir=o", "trainer.max_epochs=x"], "f.yaml"));
        Assert.Equal("--set: trainer.max_epochs: expected an integer, got \"x\"", e.Message);
        var unknown = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, ["output_dir=o", "trainer.max_epoch=1"], "f.yaml"));
        Assert.Equal("--set: trainer.max_epoch: unknown key", unknown.Message);
    }

    [Theory]
    [InlineData("trainer.max_epochs", "no '='")]
    [InlineData("=3", "empty key")]
    [InlineData("trainer..max_epochs=3", "empty key")]
    [InlineData(".x=3", "empty key")]
    public void Bad_set_syntax_is_named(string assignment, string problem)
    {
        var e = Assert.Throws<RecipeException>(() => YamlOverrides.Parse(assignment));
        Assert.StartsWith("--set: ", e.Message);
        Assert.Contains(assignment, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Setting_below_a_scalar_names_the_scalar()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, ["output_dir=o", "trainer.precision.x=1"]));
        Assert.Equal("--set: trainer.precision.x: trainer.precision is not a mapping, so it has no key \"x\"", e.Message);
    }

    [Fact]
    public void A_value_that_is_not_yaml_is_named()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(Prem1BRecipes.Pretrain, RecipeKind.Pretrain, ["output_dir=o", "model.optimizer_args.betas=[0.9, "]));
        Assert.StartsWith("--set: model.optimizer_args.betas: the value \"[0.9, \" is not valid YAML", e.Message);
    }

    [Fact]
    public void Parse_splits_at_the_first_equals_sign()
    {
        var (keys, value) = YamlOverrides.Parse("data.train_path=a=b");
        Assert.Equal(["data", "train_path"], keys);
        Assert.Equal("a=b", value);
    }
}
