namespace Prem.Llm.Recipes;

/// <summary>Binds the Prem-1B recipe's flat TRL / alignment-handbook DPO keys to a <see cref="DpoRecipe"/>.</summary>
internal static class DpoRecipeYaml
{
    public static DpoRecipe Bind(YamlSection s)
    {
        var d = new DpoRecipe { ModelNameOrPath = "", TrainPath = "", OutputDir = "" };
        long? maxSteps = s.Long("max_steps");
        if (maxSteps is 0 or < -1) throw s.Error("max_steps", $"must be positive (or -1 for none), got {maxSteps}");
        var kwargs = s.Section("gradient_checkpointing_kwargs");
        if (kwargs is not null)
        {
            // The recompute is exact whether or not it is "reentrant", so the flag is accepted and has no effect.
            kwargs.Bool("use_reentrant");
            kwargs.RejectUnknown();
        }
        if (s.Has("optim")) s.Choice("optim", RecipeChoices.Optim);
        double? labelSmoothing = s.Double("label_smoothing");
        if (labelSmoothing is < 0 or >= 0.5) throw s.Error("label_smoothing", $"must be in [0, 0.5), got {labelSmoothing}");
        double? warmup = s.Double("warmup_ratio");
        if (warmup is < 0 or > 1) throw s.Error("warmup_ratio", $"must be in [0, 1], got {warmup}");
        double learningRate = TrainingRecipeYaml.NonNegative(s, "learning_rate") ?? d.LearningRate;
        string? scheduler = s.Has("lr_scheduler_type") ? s.String("lr_scheduler_type") : null;
        var decay = s.Choice("lr_scheduler_type", RecipeChoices.HfScheduler);
        double minLr = SchedulerMinLr(s, scheduler, learningRate);
        if (scheduler == "constant") warmup = 0;   // HF's constant schedule has no warmup; constant_with_warmup does
        int maxLength = TrainingRecipeYaml.Positive(s, "max_length") ?? d.MaxLength;
        int maxPrompt = TrainingRecipeYaml.Positive(s, "max_prompt_length") ?? d.MaxPromptLength;
        if (maxPrompt >= maxLength) throw s.Error("max_prompt_length", $"must be less than max_length ({maxLength}), got {maxPrompt}");
        var recipe = new DpoRecipe
        {
            ModelNameOrPath = s.String("model_name_or_path") ?? throw s.Missing("model_name_or_path"),
            RefModelNameOrPath = s.String("ref_model_name_or_path"),
            TrainPath = s.String("train_path") ?? throw s.Missing("train_path"),
            ValPath = s.String("val_path"),
            Tokenizer = s.String("tokenizer"),
            ReplaceInvalidUtf8 = s.Bool("replace_invalid_utf8") ?? false,
            ChatTemplate = s.String("chat_template"),
            OutputDir = s.String("output_dir") ?? throw s.Missing("output_dir"),
            ResumeFrom = s.String("resume_from"),
            Overwrite = s.Bool("overwrite") ?? false,
            Beta = Beta(s) ?? d.Beta,
            LossType = s.Choice("loss_type", RecipeChoices.DpoLoss) ?? d.LossType,
            LabelSmoothing = labelSmoothing ?? d.LabelSmoothing,
            PrecomputeRefLogProbs = s.Bool("precompute_ref_log_probs") ?? d.PrecomputeRefLogProbs,
            LearningRate = learningRate,
            LrSchedulerType = decay ?? d.LrSchedulerType,
            MinLearningRate = minLr,
            WarmupRatio = warmup ?? d.WarmupRatio,
            WeightDecay = TrainingRecipeYaml.NonNegative(s, "weight_decay") ?? d.WeightDecay,
            AdamBeta1 = Unit(s, "adam_beta1") ?? d.AdamBeta1,
            AdamBeta2 = Unit(s, "adam_beta2") ?? d.AdamBeta2,
            AdamEpsilon = TrainingRecipeYaml.NonNegative(s, "adam_epsilon") ?? d.AdamEpsilon,
            MaxGradNorm = TrainingRecipeYaml.NonNegative(s, "max_grad_norm") ?? d.MaxGradNorm,
            MaxLength = maxLength,
            MaxPromptLength = maxPrompt,
            PerDeviceTrainBatchSize = TrainingRecipeYaml.Positive(s, "per_device_train_batch_size") ?? d.PerDeviceTrainBatchSize,
            PerDeviceEvalBatchSize = TrainingRecipeYaml.Positive(s, "per_device_eval_batch_size"),
            GradientAccumulationSteps = TrainingRecipeYaml.Positive(s, "gradient_accumulation_steps") ?? d.GradientAccumulationSteps,
            GradientCheckpointing = s.Bool("gradient_checkpointing") ?? d.GradientCheckpointing,
            NumTrainEpochs = TrainingRecipeYaml.Positive(s, "num_train_epochs") ?? d.NumTrainEpochs,
            MaxSteps = maxSteps == -1 ? null : maxSteps,
            Seed = s.Long("seed") ?? d.Seed,
            Bf16 = s.Bool("bf16") ?? d.Bf16,
            LoggingSteps = TrainingRecipeYaml.Positive(s, "logging_steps") ?? d.LoggingSteps,
            SaveSteps = TrainingRecipeYaml.Positive(s, "save_steps") ?? d.SaveSteps,
            EvalSteps = TrainingRecipeYaml.Positive(s, "eval_steps"),
            Attention = RecipeChoices.Pick(s, "attn_implementation", RecipeChoices.Attention) ?? d.Attention,
            Peft = PeftArgsYaml.Read(s),
        };
        s.RejectUnknown();
        return recipe;
    }

    /// <summary>lr_scheduler_kwargs: cosine_with_min_lr needs min_lr or min_lr_rate (as in HF); the other schedules take none.</summary>
    static double SchedulerMinLr(YamlSection s, string? scheduler, double learningRate)
    {
        var kwargs = s.Section("lr_scheduler_kwargs");
        if (scheduler != "cosine_with_min_lr")
        {
            if (kwargs is not null) throw s.Error("lr_scheduler_kwargs", $"only lr_scheduler_type cosine_with_min_lr takes arguments (min_lr or min_lr_rate), not {scheduler ?? "the default cosine"}");
            return 0;
        }
        double? minLr = kwargs?.Double("min_lr"), rate = kwargs?.Double("min_lr_rate");
        kwargs?.RejectUnknown();
        if ((minLr is null) == (rate is null))
            throw s.Error(kwargs is null ? "lr_scheduler_type" : "lr_scheduler_kwargs", "cosine_with_min_lr needs exactly one of lr_scheduler_kwargs.min_lr and lr_scheduler_kwargs.min_lr_rate");
        if (minLr is < 0) throw kwargs!.Error("min_lr", $"must be ≥ 0, got {minLr}");
        if (rate is < 0 or > 1) throw kwargs!.Error("min_lr_rate", $"must be in [0, 1], got {rate}");
        return minLr ?? rate!.Value * learningRate;
    }

    static double? Beta(YamlSection s)
    {
        double? beta = s.Double("beta");
        return beta is null or > 0 ? beta : throw s.Error("beta", $"must be positive, got {beta}");
    }

    static double? Unit(YamlSection s, string key)
    {
        double? v = s.Double(key);
        return v is null or (>= 0 and < 1) ? v : throw s.Error(key, $"must be in [0, 1), got {v}");
    }
}
