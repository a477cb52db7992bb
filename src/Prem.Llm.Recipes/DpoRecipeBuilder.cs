using Prem.Llm.Adapters;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Text;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Recipes;

/// <summary>
/// Turns a DPO recipe into the trainer's pieces. With <see cref="DpoRecipe.PrecomputeRefLogProbs"/>
/// the reference log-probs of every training (and validation) pair are computed here, once, and cached
/// in <c>output_dir/reference-logps.bin</c>; a resumed run reuses the cache, and no reference model is
/// kept in memory while training. Otherwise a frozen reference model is loaded beside the policy.
/// </summary>
public static class DpoRecipeBuilder
{
    /// <summary>The cache file's name inside the output folder.</summary>
    public const string ReferenceCacheFile = "reference-logps.bin";

    /// <summary>
    /// Reads the YAML DPO recipe at <paramref name="path"/> (the Prem-1B recipe's TRL / alignment-handbook keys),
    /// applies the <c>key=value</c> <paramref name="overrides"/>, and builds policy, reference, data, objective and options.
    /// </summary>
    /// <param name="path">The recipe file.</param>
    /// <param name="overrides">Dotted <c>key=value</c> settings applied over the file (as <c>--set</c>).</param>
    /// <param name="host">Logging, communicator and attention backends of the host process.</param>
    /// <exception cref="RecipeException">A key, value or path in the recipe is wrong (named with its line).</exception>
    public static RecipeRun Load(string path, IEnumerable<string>? overrides = null, RecipeHost? host = null) =>
        Build(RecipeYaml.LoadDpo(path, overrides), host);

    /// <summary>Builds policy, reference, data, objective and options for <paramref name="recipe"/>.</summary>
    /// <exception cref="RecipeException">A path in the recipe does not exist.</exception>
    internal static RecipeRun Build(DpoRecipe recipe, RecipeHost? host = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        host ??= new RecipeHost();
        // TRL's keys name no device: --device, else this rank's GPU when there is one.
        var device = RecipeDevices.Resolve(Accelerator.Auto, host.Device, host.Communicator.LocalRank, RecipeDevices.DeviceOption);
        RecipeDevices.CheckCommunicator(device, host.Communicator, RecipeDevices.DeviceOption);
        var (backend, attention) = host.Attention(recipe.Attention, device, "attn_implementation");
        RecipeBuilder.RequireModelFolder(recipe.ModelNameOrPath, "model_name_or_path");
        string tokenizerDir = recipe.Tokenizer ?? recipe.ModelNameOrPath;
        if (recipe.Tokenizer is null && !RecipeBuilder.HasTokenizer(tokenizerDir))
            throw new RecipeException(null, "tokenizer", $"{tokenizerDir} has no tokenizer; set tokenizer");
        RecipeBuilder.RequireFile(recipe.TrainPath, "train_path");
        if (recipe.ValPath is not null) RecipeBuilder.RequireFile(recipe.ValPath, "val_path");
        // The run folder before loading and the reference pass: a reused or unwritable folder is refused in a moment.
        RunFolder.Check(new CheckpointOptions { OutputDir = recipe.OutputDir, ResumeFrom = recipe.ResumeFrom, Overwrite = recipe.Overwrite });

        var tokenizer = TokenizerLoader.Load(tokenizerDir);
        string? notice = null;
        var pairs = new PreferenceOptions
        {
            MaxLength = recipe.MaxLength,
            MaxPromptLength = recipe.MaxPromptLength,
            ReplaceInvalidUtf8 = recipe.ReplaceInvalidUtf8,
            Template = ChatTemplateChoice.Resolve(recipe.ChatTemplate, tokenizerDir, tokenizer, m => notice = m),
        };
        var trainSet = PreferenceDataset.Load(recipe.TrainPath, tokenizer, pairs);
        RecipeBuilder.ReportReplaced(trainSet.Summary, "replace_invalid_utf8", host);
        RecipeBuilder.RequireOneBatch(trainSet.Examples.Count, recipe.PerDeviceTrainBatchSize, host, recipe.TrainPath, "train_path", "preference pairs");
        var train = new BatchLoader<PreferenceExample, PreferenceBatch>(trainSet.Examples, new PreferenceCollator(trainSet.PadId),
            new BatchLoaderOptions { BatchSize = recipe.PerDeviceTrainBatchSize }.ForRank(host.Communicator));
        IBatchSource? validation = null;
        long valPairs = 0;
        if (recipe.ValPath is not null)
        {
            var valSet = PreferenceDataset.Load(recipe.ValPath, tokenizer, pairs);
            RecipeBuilder.ReportReplaced(valSet.Summary, "replace_invalid_utf8", host);
            RecipeBuilder.RequireOneBatch(valSet.Examples.Count, recipe.PerDeviceEvalBatchSize ?? recipe.PerDeviceTrainBatchSize, host, recipe.ValPath, "val_path", "preference pairs");
            valPairs = valSet.Examples.Count;
            var loader = new BatchLoaderOptions { BatchSize = recipe.PerDeviceEvalBatchSize ?? recipe.PerDeviceTrainBatchSize, Shuffle = false }.ForRank(host.Communicator);
            // Validation pairs are numbered after the training pairs so one cache holds both.
            validation = new ExampleIdOffsetSource(new BatchLoader<PreferenceExample, PreferenceBatch>(valSet.Examples, new PreferenceCollator(valSet.PadId), loader),
                trainSet.Examples.Count);
        }
        // Once all data has loaded, so a data error stays the only line.
        if (notice is not null) host.Log?.WriteLine("notice: " + notice);

        var options = recipe.ToTrainerOptions();
        options = options with { Checkpoint = options.Checkpoint with { TokenizerDirectory = tokenizerDir } };
        var owned = new List<IDisposable>();
        try
        {
            var policy = RecipeModels.FromFolder(recipe.ModelNameOrPath, "model_name_or_path", null, RecipeModels.TrainingDtype(options.Precision.Mode), backend, device);
            owned.Add(policy);
            RecipeModels.ToDevice(policy, device);
            IReferenceLogProbs? reference = recipe.PrecomputeRefLogProbs
                ? CachedReference(recipe, policy, backend, train, validation, trainSet.Examples.Count + valPairs, host) : null;
            // Adapters after a cached pass (which reads the base), detached before the policy is disposed.
            // TRL's DPOTrainer turns every dropout off (disable_dropout, default true), lora_dropout included.
            if (recipe.Peft.UsePeft) owned.Insert(0, LoraModel.Apply(policy, recipe.Peft.ToLoraConfig(recipe.ModelNameOrPath) with { Dropout = 0 }, recipe.Seed));
            // TRL with a PEFT model and no ref_model: the reference is the policy with its adapters off.
            if (reference is null && recipe.Peft.UsePeft && recipe.RefModelNameOrPath is null) reference = new AdapterReferenceLogProbs(policy);
            if (reference is null)
            {
                var frozen = RecipeModels.FromFolder(recipe.RefModelNameOrPath ?? recipe.ModelNameOrPath,
                    recipe.RefModelNameOrPath is null ? "model_name_or_path" : "ref_model_name_or_path", null, ScalarType.Float32, backend, device);
                owned.Add(frozen);
                RecipeModels.ToDevice(frozen, device);
                reference = new ModelReferenceLogProbs(frozen);
            }
            var objective = new DpoObjective(reference, recipe.Beta, recipe.LossType, recipe.LabelSmoothing);
            return new RecipeRun(policy, objective, train, validation, options, attention, owned, host.Communicator, host.Log);
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    static CachedReferenceLogProbs CachedReference(DpoRecipe recipe, LlamaForCausalLM policy, Attention.IAttentionBackend backend,
        IBatchSource train, IBatchSource? validation, long expected, RecipeHost host)
    {
        string path = Path.Combine(recipe.OutputDir, ReferenceCacheFile);
        if (recipe.ResumeFrom is not null && File.Exists(path))
        {
            var cached = CachedReferenceLogProbs.Load(path);
            if (cached.Count == expected) return cached;
            host.Log?.WriteLine($"notice: {path} holds {cached.Count} pairs, the data {expected}; computing it again.");
        }
        Directory.CreateDirectory(recipe.OutputDir);
        // Without ref_model_name_or_path the reference is the policy before training: use it as it is now.
        var reference = recipe.RefModelNameOrPath is null ? policy
            : RecipeModels.FromFolder(recipe.RefModelNameOrPath, "ref_model_name_or_path", null, ScalarType.Float32, backend);
        try
        {
            RecipeModels.ToDevice(reference, policy.Device);
            var batches = EpochBatches(train, recipe.Seed);
            if (validation is not null) batches = batches.Concat(EpochBatches(validation, recipe.Seed));
            bool wasTraining = reference.training;
            long? total = train.BatchesPerEpoch + (validation is null ? 0 : validation.BatchesPerEpoch);
            var log = host.Communicator.Rank == 0 ? host.Log : null;
            var cache = CachedReferenceLogProbs.Precompute(reference, WithProgress(batches, total, log), path, host.Communicator);
            reference.train(wasTraining);
            return cache;
        }
        finally
        {
            if (!ReferenceEquals(reference, policy)) reference.Dispose();
        }
    }

    /// <summary><paramref name="batches"/>, with a line on <paramref name="log"/> at the start and at each further tenth done.</summary>
    static IEnumerable<PreferenceBatch> WithProgress(IEnumerable<PreferenceBatch> batches, long? total, TextWriter? log)
    {
        log?.WriteLine($"reference log-probs: computing for {(total is long t ? $"{t} batches" : "the data")} before step 1 (once; cached for resumes)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long done = 0, tenths = 0;
        foreach (var batch in batches)
        {
            yield return batch;
            done++;
            if (log is null || total is not > 0) continue;
            long now = done * 10 / total.Value;
            if (now > tenths)
            {
                tenths = now;
                log.WriteLine($"reference log-probs: {done}/{total} batches ({now * 10}%, {clock.Elapsed.TotalSeconds:F0} s)");
            }
        }
    }

    /// <summary>One epoch of a source, each batch disposed once the consumer moves on.</summary>
    static IEnumerable<PreferenceBatch> EpochBatches(IBatchSource source, long seed)
    {
        source.StartEpoch(0, seed);
        while (source.Next() is { } batch)
        {
            using (batch) yield return batch as PreferenceBatch ?? throw new InvalidOperationException($"a DPO source yielded a {batch.GetType().Name}.");
        }
    }
}
