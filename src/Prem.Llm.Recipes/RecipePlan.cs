using Prem.Llm.Modeling;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>
/// The memory plan of a pretraining or SFT recipe (<c>prem plan</c>): the model from its config block, its
/// <c>model_name</c> folder's config.json, or a config.json given here; rows of <c>data.max_seq_length</c> tokens
/// (else the model's window), <c>data.batch_size</c> rows per micro-batch, the recipe's precision, accumulation,
/// attention and <c>trainer.gradient_checkpointing</c>. Device count, memory and MFU come from the settings given.
/// </summary>
public static class RecipePlan
{
    /// <summary>Reads <paramref name="path"/> and plans it.</summary>
    /// <param name="path">The YAML recipe.</param>
    /// <param name="kind">Pretraining or SFT.</param>
    /// <param name="overrides">Dotted <c>key=value</c> settings applied over the file (as <c>--set</c>).</param>
    /// <param name="settings">World size, device memory, MFU, peak TFLOP/s and token budget; the recipe's values replace its
    /// sequence length, micro-batch, accumulation, precision, attention and checkpointing.</param>
    /// <param name="modelConfig">A config.json to use instead of the recipe's model (e.g. when model_name is a Hub id, not a folder here).</param>
    /// <exception cref="RecipeException">A key or value is wrong, or the model's config cannot be found.</exception>
    public static (LlamaConfig Config, MemoryPlan Plan) Load(string path, RecipeKind kind = RecipeKind.Pretrain, IEnumerable<string>? overrides = null,
        MemoryPlanOptions? settings = null, string? modelConfig = null)
    {
        var recipe = RecipeYaml.LoadTraining(path, kind, overrides);
        var config = ModelConfig(recipe.Model, modelConfig);
        if (recipe.Model.MaxPositionEmbeddings is int window) config = config with { MaxPositionEmbeddings = window };
        var options = (settings ?? new MemoryPlanOptions()) with
        {
            SequenceLength = recipe.Data.MaxSeqLength ?? config.MaxPositionEmbeddings,
            MicroBatch = recipe.Data.BatchSize,
            AccumulationSteps = recipe.Trainer.AccumulateGradBatches,
            Precision = recipe.Trainer.Precision,
            ActivationCheckpointing = recipe.Trainer.GradientCheckpointing,
            Attention = recipe.Model.Attention,
            Lora = recipe.Model.Peft.UsePeft ? recipe.Model.Peft.ToLoraConfig(recipe.Model.ModelName) : null,
        };
        return (config, MemoryPlanner.Plan(config, options));
    }

    static LlamaConfig ModelConfig(ModelArgs model, string? modelConfig)
    {
        if (modelConfig is not null)
        {
            if (!File.Exists(modelConfig)) throw new RecipeException(null, "--model-config", $"file not found: {modelConfig}");
            return LlamaConfigJson.Load(modelConfig);
        }
        if (model.Config is { } config) return config;
        string folder = model.ModelName!;
        string json = Path.Combine(folder, "config.json");
        if (!File.Exists(json))
            throw new RecipeException(null, "model.model_args.model_name", $"{folder} is not a model folder here (no config.json); "
                + "give its config.json with --model-config");
        return LlamaConfigJson.Load(json);
    }
}
