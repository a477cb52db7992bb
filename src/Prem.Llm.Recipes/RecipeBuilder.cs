using Prem.Llm.Adapters;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Text;
using Prem.Llm.Training;

namespace Prem.Llm.Recipes;

/// <summary>
/// Turns a pretraining or SFT recipe into the trainer's pieces without training (see
/// <see cref="RecipeRun"/>); <see cref="DpoRecipeBuilder"/> does the same for DPO.
/// </summary>
public static class RecipeBuilder
{
    /// <summary>
    /// Reads the YAML recipe at <paramref name="path"/> (the Prem-1B recipe's Lightning keys), applies the
    /// <c>key=value</c> <paramref name="overrides"/>, and builds model, tokenizer, data, objective and options.
    /// </summary>
    /// <param name="path">The recipe file.</param>
    /// <param name="kind">Pretraining or SFT.</param>
    /// <param name="overrides">Dotted <c>key=value</c> settings applied over the file (as <c>--set</c>).</param>
    /// <param name="host">Logging, communicator and attention backends of the host process.</param>
    /// <exception cref="RecipeException">A key, value or path in the recipe is wrong (named with its line), or the pieces do not fit together.</exception>
    public static RecipeRun Load(string path, RecipeKind kind, IEnumerable<string>? overrides = null, RecipeHost? host = null) =>
        Build(RecipeYaml.LoadTraining(path, kind, overrides), host);

    /// <summary>Builds model, tokenizer, data, objective and options for <paramref name="recipe"/>.</summary>
    /// <exception cref="RecipeException">A path in the recipe does not exist, or the pieces do not fit together.</exception>
    internal static RecipeRun Build(TrainingRecipe recipe, RecipeHost? host = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        host ??= new RecipeHost();
        var device = RecipeDevices.Resolve(recipe.Trainer.Accelerator, host.Device, host.Communicator.LocalRank);
        RecipeDevices.CheckCommunicator(device, host.Communicator, host.Device is null ? "trainer.accelerator" : RecipeDevices.DeviceOption);
        var (backend, attention) = host.Attention(recipe.Model.Attention, device, AttentionKey(recipe.Model.Attention));
        if (recipe.Model.ModelName is { } modelFolder) RequireModelFolder(modelFolder, "model.model_args.model_name");
        // The run folder before any loading: a reused or unwritable folder is refused in a moment.
        RunFolder.Check(new CheckpointOptions { OutputDir = recipe.OutputDir, ResumeFrom = recipe.ResumeFrom, Overwrite = recipe.Overwrite });
        string? tokenizerDir = recipe.Data.DatasetTokenizer ?? (recipe.Model.ModelName is { } m && HasTokenizer(m) ? m : null)
            ?? (recipe.Kind == RecipeKind.Pretrain ? PreparedTokenizer(recipe.Data.TrainPath) : null);
        var owned = new List<IDisposable>();
        try
        {
            IBatchSource train;
            IBatchSource? validation;
            int? vocab;
            if (recipe.Kind == RecipeKind.Pretrain)
                (train, validation, vocab) = PretrainData(recipe.Data, owned, host);
            else
                (train, validation, vocab) = SftData(recipe.Data, tokenizerDir ?? throw new RecipeException(null, "data.dataset_tokenizer",
                    "SFT needs a tokenizer: set data.dataset_tokenizer or use a model_name folder that has one"), host);
            if (train.BatchesPerEpoch is long perEpoch && !recipe.Trainer.LimitTrainBatches.IsAll(perEpoch))
                train = new LimitedBatchSource(train, Math.Max(1, recipe.Trainer.LimitTrainBatches.Resolve(perEpoch)));

            var options = recipe.ToTrainerOptions(train.BatchesPerEpoch ?? 0, validation?.BatchesPerEpoch);
            options = options with { Checkpoint = options.Checkpoint with { TokenizerDirectory = tokenizerDir } };
            var dtype = RecipeModels.TrainingDtype(options.Precision.Mode);
            var args = recipe.Model;
            var model = args.ModelName is { } folder
                ? RecipeModels.FromFolder(folder, "model.model_args.model_name", args.MaxPositionEmbeddings, dtype, backend, device)
                : RecipeModels.FromConfig(WithSpecialTokens(args.Config!, recipe, tokenizerDir), args.MaxPositionEmbeddings, dtype, backend, options.Seed, device);
            owned.Insert(0, model);
            RecipeModels.ToDevice(model, device);
            // Adapters are detached before the model is disposed (owned is disposed in order).
            if (args.Peft.UsePeft) owned.Insert(0, LoraModel.Apply(model, args.Peft.ToLoraConfig(args.ModelName), options.Seed));
            if (vocab is int v && v > model.Config.VocabSize)
                throw new RecipeException(null, args.ModelName is null ? "model.model_args.config.vocab_size" : "model.model_args.model_name",
                    $"the model's vocabulary ({model.Config.VocabSize}) is smaller than the data's tokenizer ({v})");
            return new RecipeRun(model, new CausalLmObjective(), train, validation, options, attention, owned, host.Communicator, host.Log);
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    /// <summary>The tokenizer <c>prem prepare</c> copied beside a prepared corpus, or null when there is none.</summary>
    static string? PreparedTokenizer(string trainPath)
    {
        string folder = Path.Combine(trainPath, "tokenizer");
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>
    /// A model built from a config block without bos_token_id/eos_token_id takes them from the data (the prepared
    /// corpus's manifest) or the tokenizer, so the exported config.json names them and generation stops at EOS.
    /// </summary>
    static LlamaConfig WithSpecialTokens(LlamaConfig config, TrainingRecipe recipe, string? tokenizerDir)
    {
        if (config.BosTokenId is not null && config.EosTokenIds.Count > 0) return config;
        int bos, eos;
        if (recipe.Kind == RecipeKind.Pretrain && File.Exists(Path.Combine(recipe.Data.TrainPath, PrepareManifest.FileName)))
        {
            var manifest = PrepareManifest.Load(recipe.Data.TrainPath);
            (bos, eos) = (manifest.BosId, manifest.EosId);
        }
        else if (tokenizerDir is not null)
        {
            var tokenizer = TokenizerLoader.Load(tokenizerDir);
            (bos, eos) = (tokenizer.BosId, tokenizer.EosId);
        }
        else return config;
        return config with
        {
            BosTokenId = config.BosTokenId ?? (bos >= 0 ? bos : null),
            EosTokenIds = config.EosTokenIds.Count > 0 || eos < 0 ? config.EosTokenIds : [eos],
        };
    }

    static (IBatchSource, IBatchSource?, int?) PretrainData(DataArgs data, List<IDisposable> owned, RecipeHost host)
    {
        RequireFolder(data.TrainPath, "data.train_path");
        var train = new PackedTokenDataset(data.TrainPath, "train", data.MaxSeqLength);
        owned.Add(train);
        PackedTokenDataset? val = null;
        if (data.ValPath is { } valPath)
        {
            RequireFolder(valPath, "data.val_path");
            bool sameFolder = Path.GetFullPath(valPath).TrimEnd('/') == Path.GetFullPath(data.TrainPath).TrimEnd('/');
            bool hasVal = PrepareManifest.Load(valPath).Shards.Any(s => s.Split == "val");
            if (hasVal || !sameFolder) val = new PackedTokenDataset(valPath, hasVal ? "val" : "train", data.MaxSeqLength);
            else host.Log?.WriteLine($"notice: {valPath} has no \"val\" split (prepare it with --val-fraction); validation is off.");
            if (val is not null) owned.Add(val);
        }
        var loader = new BatchLoaderOptions { BatchSize = data.BatchSize }.ForRank(host.Communicator);
        var collator = new PackedWindowCollator();
        return (new BatchLoader<PackedWindow, CausalLmBatch>(new PackedWindows(train), collator, loader),
            val is null ? null : new BatchLoader<PackedWindow, CausalLmBatch>(new PackedWindows(val), collator, loader with { Shuffle = false }),
            train.Manifest.VocabSize);
    }

    static (IBatchSource, IBatchSource?, int?) SftData(DataArgs data, string tokenizerDir, RecipeHost host)
    {
        RequireFile(data.TrainPath, "data.train_path");
        var tokenizer = TokenizerLoader.Load(tokenizerDir);
        string? notice = null;
        var options = new SftOptions
        {
            MaxSeqLength = data.MaxSeqLength ?? new SftOptions().MaxSeqLength,
            ReplaceInvalidUtf8 = data.ReplaceInvalidUtf8,
            Template = ChatTemplateChoice.Resolve(data.ChatTemplate, tokenizerDir, tokenizer, m => notice = m),
        };
        var train = SftDataset.Load(data.TrainPath, tokenizer, options);
        ReportReplaced(train.Summary, "data.replace_invalid_utf8", host);
        RequireOneBatch(train.Rows.Count, data.BatchSize, host, data.TrainPath, "data.train_path", "conversations");
        IBatchSource? validation = null;
        if (data.ValPath is { } valPath)
        {
            RequireFile(valPath, "data.val_path");
            var valSet = SftDataset.Load(valPath, tokenizer, options);
            ReportReplaced(valSet.Summary, "data.replace_invalid_utf8", host);
            RequireOneBatch(valSet.Rows.Count, data.BatchSize, host, valPath, "data.val_path", "conversations");
            validation = new BatchLoader<SftExample, CausalLmBatch>(valSet.Rows, new SftCollator(valSet.PadId),
                new BatchLoaderOptions { BatchSize = data.BatchSize, Shuffle = false }.ForRank(host.Communicator));
        }
        // Once all data has loaded, so a data error stays the only line.
        if (notice is not null) host.Log?.WriteLine("notice: " + notice);
        return (new BatchLoader<SftExample, CausalLmBatch>(train.Rows, new SftCollator(train.PadId),
            new BatchLoaderOptions { BatchSize = data.BatchSize }.ForRank(host.Communicator)), validation, tokenizer.VocabSize);
    }

    /// <summary>A notice per file in which invalid UTF-8 was replaced (the recipe key <paramref name="keyPath"/> asked for it).</summary>
    internal static void ReportReplaced(ChatDatasetSummary summary, string keyPath, RecipeHost host)
    {
        if (host.Communicator.Rank != 0) return;
        foreach (var (file, count) in summary.InvalidUtf8Replaced)
            host.Log?.WriteLine($"notice: {file}: {count} invalid UTF-8 sequence{(count == 1 ? "" : "s")} replaced with U+FFFD ({keyPath}).");
    }

    /// <summary>The recipe key errors about the attention backend name: flash_attention for "flash", else attention.</summary>
    static string AttentionKey(string attention) => attention == "flash" ? "model.model_args.flash_attention" : "model.model_args.attention";

    internal static bool HasTokenizer(string folder) => TokenizerLoader.TryFind(folder) is not null;

    internal static void RequireFile(string path, string keyPath)
    {
        if (!File.Exists(path)) throw new RecipeException(null, keyPath, $"file not found: {path}");
    }

    internal static void RequireModelFolder(string path, string keyPath)
    {
        if (!Directory.Exists(path))
            throw new RecipeException(null, keyPath, $"model folder not found: {path}");
    }

    /// <summary>
    /// Throws naming <paramref name="path"/> when its <paramref name="count"/> usable records do not fill one global
    /// batch (<paramref name="batchSize"/> × world size): the loader would have no step to run.
    /// </summary>
    internal static void RequireOneBatch(long count, int batchSize, RecipeHost host, string path, string keyPath, string records)
    {
        long global = (long)batchSize * host.Communicator.Size;
        if (batchSize > 0 && count < global)
            throw new RecipeException(null, keyPath, count == 0
                ? $"{path}: no usable {records} (the file is empty, or every record was skipped); one step needs {global} (batch size {batchSize} × {host.Communicator.Size} ranks)"
                : $"{path}: {count} usable {records}, fewer than one step needs: {global} (batch size {batchSize} × {host.Communicator.Size} ranks)");
    }

    static void RequireFolder(string path, string keyPath)
    {
        if (!Directory.Exists(path)) throw new RecipeException(null, keyPath, $"folder not found: {path} (expected a `prem prepare` output folder)");
    }
}
