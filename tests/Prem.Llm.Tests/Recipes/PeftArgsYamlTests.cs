using Prem.Llm.Adapters;
using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

public class PeftArgsYamlTests
{
    const string Sft = """
        model:
          model_args:
            model_name: m
        data:
          train_path: d
        output_dir: o
        """;

    const string Dpo = """
        model_name_or_path: m
        train_path: d
        output_dir: o
        """;

    static TrainingRecipe Parse(params string[] sets) => RecipeYaml.ParseTraining(Sft, RecipeKind.Sft, sets);

    [Fact]
    public void Trl_keys_with_trl_defaults()
    {
        var p = Parse("model.model_args.use_peft=true").Model.Peft;
        Assert.True(p.UsePeft);
        var c = p.ToLoraConfig("m");
        Assert.Equal((16, 32.0, 0.05), (c.R, c.Alpha, c.Dropout));
        Assert.Equal(["q_proj", "v_proj"], c.TargetModules);
        Assert.Equal("m", c.BaseModelNameOrPath);
        Assert.False(Parse().Model.Peft.UsePeft);
    }

    [Fact]
    public void Every_key_reaches_the_lora_config_and_the_export()
    {
        var recipe = Parse("model.model_args.use_peft=true", "model.model_args.lora_r=4", "model.model_args.lora_alpha=8",
            "model.model_args.lora_dropout=0", "model.model_args.lora_target_modules=q_proj,down_proj", "model.model_args.lora_modules_to_save=[embed_tokens]",
            "model.model_args.use_rslora=true", "model.model_args.merge_adapter=true");
        var c = recipe.Model.Peft.ToLoraConfig(null);
        Assert.Equal((4, 8.0, 0.0, true), (c.R, c.Alpha, c.Dropout, c.UseRslora));
        Assert.Equal(["q_proj", "down_proj"], c.TargetModules);
        Assert.Equal(["embed_tokens"], c.ModulesToSave);
        Assert.True(recipe.ToTrainerOptions(10).Checkpoint.ExportMergedModel);
        Assert.Equal(LoraConfig.AllLinear, Parse("model.model_args.use_peft=true", "model.model_args.lora_target_modules=all-linear").Model.Peft.TargetModules);
    }

    [Theory]
    [InlineData("model.model_args.lora_r=8", "model.model_args.lora_r", "without use_peft")]
    [InlineData("model.model_args.use_peft=true|model.model_args.lora_r=0", "model.model_args.lora_r", "positive")]
    [InlineData("model.model_args.use_peft=true|model.model_args.lora_alpha=-2", "model.model_args.lora_alpha", "positive")]
    [InlineData("model.model_args.use_peft=true|model.model_args.lora_dropout=1", "model.model_args.lora_dropout", "[0, 1)")]
    [InlineData("model.model_args.use_peft=true|model.model_args.lora_target_modules=[c_attn]", "model.model_args.lora_target_modules", "c_attn")]
    [InlineData("model.model_args.use_peft=true|model.model_args.lora_modules_to_save=[norm]", "model.model_args.lora_modules_to_save", "norm")]
    [InlineData("model.model_args.use_peft=true|model.model_args.lora_target_modules=[lm_head]|model.model_args.lora_modules_to_save=[lm_head]", "model.model_args.lora_modules_to_save", "pick one")]
    [InlineData("model.model_args.use_peft=yes", "model.model_args.use_peft", "true or false")]
    public void Bad_values_name_the_key(string sets, string key, string problem)
    {
        var e = Assert.Throws<RecipeException>(() => Parse(sets.Split('|')));
        Assert.Contains(key, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Pretraining_and_a_model_built_from_a_config_refuse_use_peft()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeYaml.ParseTraining(Sft, RecipeKind.Pretrain, ["model.model_args.use_peft=true"]));
        Assert.Contains("model.model_args.use_peft", e.Message);
        Assert.Contains("pretraining", e.Message);
    }

    [Fact]
    public void Dpo_takes_the_same_flat_keys()
    {
        var recipe = RecipeYaml.ParseDpo(Dpo, ["use_peft=true", "lora_r=8", "lora_target_modules=all-linear", "merge_adapter=true"]);
        Assert.True(recipe.Peft.UsePeft);
        Assert.Equal(8, recipe.Peft.R);
        Assert.True(recipe.ToTrainerOptions().Checkpoint.ExportMergedModel);
        Assert.Contains("lora_alpha", Assert.Throws<RecipeException>(() => RecipeYaml.ParseDpo(Dpo, ["lora_alpha=16"])).Message);
    }
}
