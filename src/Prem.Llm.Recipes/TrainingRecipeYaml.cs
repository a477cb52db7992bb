namespace Prem.Llm.Recipes;

/// <summary>Binds a Lightning-style recipe with the Prem-1B recipe's keys (pretraining and SFT) to a <see cref="TrainingRecipe"/>.</summary>
internal static class TrainingRecipeYaml
{
    public static TrainingRecipe Bind(YamlSection root, RecipeKind kind, RecipeSource source)
    {
        var modelSection = root.Section("model") ?? throw root.Missing("model");
        var model = ModelArgs(modelSection.Section("model_args") ?? throw modelSection.Missing("model_args"), source, kind);
        var optimizer = Optimizer(modelSection.Section("optimizer_args"));
        var scheduler = Scheduler(modelSection.Section("lr_scheduler_args"));
        modelSection.RejectUnknown();
        var data = Data(root.Section("data") ?? throw root.Missing("data"), kind);
        var trainer = Trainer(root.Section("trainer"));
        var recipe = new TrainingRecipe
        {
            Kind = kind, Model = model, Optimizer = optimizer, Scheduler = scheduler, Data = data, Trainer = trainer,
            OutputDir = root.String("output_dir") ?? throw root.Missing("output_dir"),
            ResumeFrom = root.String("resume_from"),
            Overwrite = root.Bool("overwrite") ?? false,
        };
        root.RejectUnknown();
        return recipe;
    }

    static ModelArgs ModelArgs(YamlSection s, RecipeSource source, RecipeKind kind)
    {
        string? name = s.String("model_name");
        bool hasConfig = s.Has("config");
        if (name is not null && hasConfig) throw s.Error("config", "give model_name or config, not both");
        if (name is null && !hasConfig) throw s.Missing("model_name");
        var config = hasConfig ? ModelConfigYaml.Read(s, "config", source) : null;

        bool? flash = s.Bool("flash_attention");
        string? attention = RecipeChoices.Pick(s, "attention", RecipeChoices.Attention);
        if (attention is not null && flash is bool f && f != (attention == "flash"))
            throw s.Error("attention", $"\"{attention}\" contradicts flash_attention: {(f ? "true" : "false")}");
        int? maxPositions = s.Int("max_position_embeddings");
        if (maxPositions is <= 0) throw s.Error("max_position_embeddings", $"must be positive, got {maxPositions}");
        var args = new ModelArgs
        {
            ModelName = name, Config = config, MaxPositionEmbeddings = maxPositions,
            Attention = attention ?? (flash == true ? "flash" : "sdpa"),
            Dtype = RecipeChoices.Pick(s, "dtype", RecipeChoices.Dtype),
            Peft = PeftArgsYaml.Read(s),
        };
        if (args.Peft.UsePeft && kind == RecipeKind.Pretrain) throw s.Error("use_peft", "LoRA adapters are for fine-tuning (prem sft, prem dpo), not pretraining");
        if (args.Peft.UsePeft && name is null) throw s.Error("use_peft", "LoRA adapters need a pretrained model: set model_name, not config");
        s.RejectUnknown();
        return args;
    }

    static OptimizerArgs Optimizer(YamlSection? s)
    {
        var d = new OptimizerArgs();
        if (s is null) return d;
        double[]? betas = s.Numbers("betas", 2);
        var args = new OptimizerArgs
        {
            Lr = NonNegative(s, "lr") ?? d.Lr,
            Beta1 = betas?[0] ?? d.Beta1, Beta2 = betas?[1] ?? d.Beta2,
            WeightDecay = NonNegative(s, "weight_decay") ?? d.WeightDecay,
            Eps = NonNegative(s, "eps") ?? d.Eps,
        };
        if (betas is not null && betas.Any(b => b is < 0 or >= 1)) throw s.Error("betas", "each beta must be in [0, 1)");
        s.RejectUnknown();
        return args;
    }

    static LrSchedulerArgs Scheduler(YamlSection? s)
    {
        var d = new LrSchedulerArgs();
        if (s is null) return d;
        double? warmup = s.Double("num_warmup_percentage");
        if (warmup is < 0 or > 1) throw s.Error("num_warmup_percentage", $"must be in [0, 1], got {warmup}");
        var args = new LrSchedulerArgs
        {
            NumWarmupPercentage = warmup ?? d.NumWarmupPercentage,
            Decay = s.Choice("decay", RecipeChoices.Decay) ?? d.Decay,
            MinLr = NonNegative(s, "min_lr") ?? d.MinLr,
        };
        s.RejectUnknown();
        return args;
    }

    static DataArgs Data(YamlSection s, RecipeKind kind)
    {
        bool replace = s.Bool("replace_invalid_utf8") ?? false;
        if (replace && kind == RecipeKind.Pretrain)
            throw s.Error("replace_invalid_utf8", "applies to SFT's JSONL files; pretraining reads prepared shards (use prem prepare --replace-invalid-utf8)");
        var args = new DataArgs
        {
            TrainPath = s.String("train_path") ?? throw s.Missing("train_path"),
            ValPath = s.String("val_path"),
            MaxSeqLength = Positive(s, "max_seq_length"),
            BatchSize = Positive(s, "batch_size") ?? 2,
            DatasetTokenizer = s.String("dataset_tokenizer"),
            ReplaceInvalidUtf8 = replace,
            ChatTemplate = s.String("chat_template"),
        };
        s.RejectUnknown();
        return args;
    }

    static LightningTrainerArgs Trainer(YamlSection? s)
    {
        var d = new LightningTrainerArgs();
        if (s is null) return d;
        long? maxSteps = s.Long("max_steps");
        if (maxSteps is 0 or < -1) throw s.Error("max_steps", $"must be positive (or -1 for none), got {maxSteps}");
        var args = new LightningTrainerArgs
        {
            Accelerator = s.Choice("accelerator", RecipeChoices.Accelerators) ?? d.Accelerator,
            Precision = s.Choice("precision", RecipeChoices.Precision) ?? d.Precision,
            LogEveryNSteps = Positive(s, "log_every_n_steps") ?? d.LogEveryNSteps,
            GradientClipVal = NonNegative(s, "gradient_clip_val") ?? d.GradientClipVal,
            AccumulateGradBatches = Positive(s, "accumulate_grad_batches") ?? d.AccumulateGradBatches,
            MaxEpochs = Positive(s, "max_epochs") ?? d.MaxEpochs,
            MaxSteps = maxSteps == -1 ? null : maxSteps,
            ValCheckInterval = s.Amount("val_check_interval"),
            LimitValBatches = s.Amount("limit_val_batches") ?? d.LimitValBatches,
            LimitTrainBatches = s.Amount("limit_train_batches") ?? d.LimitTrainBatches,
            ReloadDataloadersEveryNEpochs = s.Int("reload_dataloaders_every_n_epochs") is int r and >= 0 ? r
                : s.Has("reload_dataloaders_every_n_epochs") ? throw s.Error("reload_dataloaders_every_n_epochs", "must be ≥ 0") : 0,
            GradientCheckpointing = s.Bool("gradient_checkpointing") ?? d.GradientCheckpointing,
            Seed = s.Long("seed") ?? d.Seed,
            SaveEveryNSteps = Positive(s, "save_every_n_steps") ?? LightningTrainerArgs.DefaultSaveEveryNSteps,
        };
        if (args.LimitTrainBatches.Count == 0 || args.LimitTrainBatches.FractionOfEpoch == 0)
            throw s.Error("limit_train_batches", "must leave at least one batch");
        s.RejectUnknown();
        return args;
    }

    internal static int? Positive(YamlSection s, string key)
    {
        int? v = s.Int(key);
        return v is null or > 0 ? v : throw s.Error(key, $"must be positive, got {v}");
    }

    internal static double? NonNegative(YamlSection s, string key)
    {
        double? v = s.Double(key);
        return v is null || (v >= 0 && double.IsFinite(v.Value)) ? v : throw s.Error(key, $"must be a finite number ≥ 0, got {v}");
    }
}
