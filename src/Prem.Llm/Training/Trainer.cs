using System.Diagnostics;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// The one training loop, shared by pretraining, SFT and DPO: they differ only in the
/// <see cref="IObjective"/> and the <see cref="IBatchSource"/>. Each step accumulates
/// <see cref="TrainerOptions.AccumulationSteps"/> micro-batches (the loss normalised over the whole
/// accumulated batch, see <see cref="IObjective"/>), clips the global gradient norm, skips the update
/// when the loss or gradients are not finite, and takes an AdamW step at the scheduled learning rate.
/// Every step runs inside its own dispose scope.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IObjective objective;
    private readonly IBatchSource train;
    private readonly IBatchSource? validation;
    private readonly MixedPrecision precision;
    private readonly CheckpointStore? store;
    private long tokensSeen;
    private int epoch;
    private int skipped;

    /// <summary>Prepares a run.</summary>
    /// <param name="model">The model to train (float32 for Float32 and Bf16Mixed, bfloat16 for Bf16); updated in place.</param>
    /// <param name="objective">The loss.</param>
    /// <param name="train">Training micro-batches.</param>
    /// <param name="options">Hyper-parameters and run settings.</param>
    /// <param name="validation">Validation micro-batches, or null.</param>
    public Trainer(LlamaForCausalLM model, IObjective objective, IBatchSource train, TrainerOptions options, IBatchSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.objective = objective ?? throw new ArgumentNullException(nameof(objective));
        this.train = train ?? throw new ArgumentNullException(nameof(train));
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        this.validation = validation;
        if (options.Threads is int threads) set_num_threads(threads);
        TotalSteps = options.MaxSteps ?? (train.BatchesPerEpoch is long perEpoch
            ? options.MaxEpochs * ((perEpoch + options.AccumulationSteps - 1) / options.AccumulationSteps)
            : throw new TrainingException("The batch source does not know its length: set MaxSteps."));
        precision = new MixedPrecision(model, options.Precision);
        ActivationCheckpoint.Enable(precision.Working, options.ActivationCheckpointing);
        Optimizer = ParameterGroups.CreateOptimizer(model, options);
        Schedule = new LearningRateSchedule(options.LearningRate, Math.Max(1, TotalSteps), options.WarmupFraction, options.Decay, options.MinLearningRate);
        if (options.OutputDir is not null) store = new CheckpointStore(Path.Combine(options.OutputDir, "checkpoints"), options.KeepLastCheckpoints);
    }

    /// <summary>The options, validated.</summary>
    public TrainerOptions Options { get; }
    /// <summary>Optimizer steps of the whole run.</summary>
    public long TotalSteps { get; }
    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; private set; }
    /// <summary>The optimizer (over the master weights).</summary>
    public AdamW Optimizer { get; }
    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }
    /// <summary>The model being trained (master weights).</summary>
    public LlamaForCausalLM Model => precision.Master;
    /// <summary>Checkpoint folder management, when an output folder is set.</summary>
    public CheckpointStore? Checkpoints => store;

    /// <summary>
    /// Trains to <see cref="TotalSteps"/> (resuming first when <see cref="TrainerOptions.ResumeFrom"/>
    /// is set), validating, logging and checkpointing as configured, then exports the model.
    /// </summary>
    /// <param name="progress">Receives step, validation, checkpoint and end updates.</param>
    /// <param name="cancellationToken">Stops between steps (no checkpoint is written on cancellation).</param>
    public TrainingResult Run(IProgress<TrainingUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        using var metrics = Options.OutputDir is null ? null : new MetricsJsonlWriter(Path.Combine(Options.OutputDir, "metrics.jsonl"));
        var sinks = new[] { progress, metrics }.Where(p => p is not null).Select(p => p!).ToList();
        void Report(TrainingUpdate u) { foreach (var s in sinks) s.Report(u); }

        manual_seed(Options.Seed);
        if (Options.ResumeFrom is not null) Resume(Options.ResumeFrom);
        else train.StartEpoch(epoch = 0, Options.Seed);

        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        long startStep = Step, startTokens = tokensSeen;
        while (Step < TotalSteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var micro = NextMicroBatches();
            if (micro is null) break;
            StepOutcome outcome;
            try { outcome = TrainStep(micro); }
            finally { micro.ForEach(b => b.Dispose()); }
            Step++;
            losses.Add(outcome.Loss);

            var elapsed = clock.Elapsed;
            double perStep = elapsed.TotalSeconds / (Step - startStep);
            var update = new TrainingUpdate
            {
                Kind = outcome.Skipped ? TrainingUpdateKind.SkippedStep : TrainingUpdateKind.Step,
                Step = Step, TotalSteps = TotalSteps, Epoch = epoch, Loss = outcome.Loss,
                LearningRate = outcome.LearningRate, GradientNorm = outcome.GradientNorm,
                TokensPerSecond = (tokensSeen - startTokens) / Math.Max(elapsed.TotalSeconds, 1e-9),
                Elapsed = elapsed, Remaining = TimeSpan.FromSeconds(perStep * (TotalSteps - Step)),
                Metrics = outcome.Metrics, SkippedSteps = skipped,
            };
            if (outcome.Skipped || Step % Options.LogEveryNSteps == 0 || Step == TotalSteps) Report(update);
            if (Options.ValidateEveryNSteps is int every && Step % every == 0 && Step < TotalSteps && validation is not null)
                Report(ValidationUpdate(Validate()));
            if (Options.SaveEveryNSteps is int save && Step % save == 0 && Step < TotalSteps) SaveCheckpoint(Report);
        }

        ValidationResult? final = null;
        if (validation is not null)
        {
            final = Validate();
            Report(ValidationUpdate(final));
        }
        string? export = null;
        if (store is not null)
        {
            SaveCheckpoint(Report);
            if (Options.ExportFinalModel) ExportModel(export = Path.Combine(Options.OutputDir!, "final"), Options.TokenizerDirectory);
        }
        Report(new TrainingUpdate { Kind = TrainingUpdateKind.Finished, Step = Step, TotalSteps = TotalSteps, Epoch = epoch, Elapsed = clock.Elapsed, SkippedSteps = skipped });
        return new TrainingResult(Step, skipped, losses, final, export);
    }

    /// <summary>The per-unit mean loss over the validation source (at most <see cref="TrainerOptions.LimitValidationBatches"/> batches).</summary>
    public ValidationResult Validate()
    {
        if (validation is null) throw new TrainingException("No validation source was given.");
        using var noGrad = no_grad();
        validation.StartEpoch(0, Options.Seed);
        double lossSum = 0;
        long units = 0;
        for (int i = 0; Options.LimitValidationBatches is not int limit || i < limit; i++)
        {
            using var batch = validation.Next();
            if (batch is null) break;
            using var scope = NewDisposeScope();
            long n = objective.CountUnits(batch);
            if (n == 0) continue;
            lossSum += objective.Compute(precision.Working, batch, n).Loss.item<float>() * n;
            units += n;
        }
        return new ValidationResult(units == 0 ? double.NaN : lossSum / units, units);
    }

    /// <summary>Writes the master model as an HF folder and copies tokenizer files from <paramref name="tokenizerDirectory"/>.</summary>
    public void ExportModel(string directory, string? tokenizerDirectory = null)
    {
        Model.SavePretrained(directory);
        if (tokenizerDirectory is null) return;
        if (!Directory.Exists(tokenizerDirectory)) throw new TrainingException("tokenizer folder not found", tokenizerDirectory);
        string[] names = ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "added_tokens.json", "llama3.tiktoken"];
        foreach (var name in names)
        {
            var source = Path.Combine(tokenizerDirectory, name);
            if (File.Exists(source)) File.Copy(source, Path.Combine(directory, name), overwrite: true);
        }
    }

    /// <summary>
    /// Takes one optimizer step on <paramref name="microBatches"/> outside <see cref="Run"/> (for hosts
    /// that drive the loop themselves, and benchmarks) and returns the step's loss.
    /// The batches stay owned by the caller.
    /// </summary>
    public double RunStep(IReadOnlyList<TrainingBatch> microBatches)
    {
        ArgumentNullException.ThrowIfNull(microBatches);
        if (microBatches.Count == 0) throw new ArgumentException("A step needs at least one micro-batch.", nameof(microBatches));
        var outcome = TrainStep(microBatches);
        Step++;
        return outcome.Loss;
    }

    private List<TrainingBatch>? NextMicroBatches()
    {
        var micro = new List<TrainingBatch>();
        while (true)
        {
            while (micro.Count < Options.AccumulationSteps && train.Next() is { } batch) micro.Add(batch);
            if (micro.Count > 0) return micro;
            // The epoch is over; a short last step was already taken with what was left.
            if (Options.MaxSteps is null && epoch + 1 >= Options.MaxEpochs) return null;
            train.StartEpoch(++epoch, Options.Seed);
        }
    }

    private readonly record struct StepOutcome(double Loss, double LearningRate, double GradientNorm, bool Skipped, IReadOnlyDictionary<string, double> Metrics);

    private StepOutcome TrainStep(IReadOnlyList<TrainingBatch> micro)
    {
        using var scope = NewDisposeScope();
        long units = Math.Max(1, micro.Sum(objective.CountUnits));
        double loss = 0;
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var batch in micro)
        {
            using var inner = NewDisposeScope();
            var result = objective.Compute(precision.Working, batch, units);
            result.Loss.backward();
            loss += result.Loss.item<float>();
            foreach (var (k, v) in result.MetricSums) sums[k] = sums.GetValueOrDefault(k) + v;
            precision.PullGradients();
            tokensSeen += batch.TokenCount;
        }
        var metrics = sums.ToDictionary(kv => kv.Key, kv => kv.Value / units);
        double norm = GradientClipping.ClipByGlobalNorm(Optimizer.Parameters.Select(p => (Tensor)p.Param), Options.GradientClipNorm);
        double lr = Schedule.At(Step);
        if (!double.IsFinite(loss) || !double.IsFinite(norm))
        {
            Optimizer.ZeroGrad();
            if (++skipped > Options.MaxNonFiniteSteps)
                throw new TrainingException($"Step {Step + 1}: non-finite loss ({loss}) or gradient norm ({norm}); {skipped} steps skipped, more than MaxNonFiniteSteps = {Options.MaxNonFiniteSteps}.");
            return new StepOutcome(loss, lr, norm, true, metrics);
        }
        Optimizer.Step(lr);
        Optimizer.ZeroGrad();
        precision.PushWeights();
        return new StepOutcome(loss, lr, norm, false, metrics);
    }

    private TrainingUpdate ValidationUpdate(ValidationResult v) => new()
    {
        Kind = TrainingUpdateKind.Validation, Step = Step, TotalSteps = TotalSteps, Epoch = epoch, Loss = v.Loss,
        Metrics = new Dictionary<string, double> { ["loss"] = v.Loss, ["perplexity"] = v.Perplexity },
    };

    private void SaveCheckpoint(Action<TrainingUpdate> report)
    {
        if (store is null) return;
        var state = new TrainerState
        {
            Step = Step, Epoch = epoch, OptimizerSteps = Optimizer.StepCount, SkippedSteps = skipped, TokensSeen = tokensSeen,
            DataPosition = train.SavePosition(), RngState = Convert.ToBase64String(RngBytes()),
        };
        var folder = store.Save(Model, Optimizer, state);
        report(new TrainingUpdate { Kind = TrainingUpdateKind.Checkpoint, Step = Step, TotalSteps = TotalSteps, Epoch = epoch, Path = folder, SkippedSteps = skipped });
    }

    private void Resume(string resumeFrom)
    {
        var folder = store?.Resolve(resumeFrom) ?? new CheckpointStore(resumeFrom, 1).Resolve(resumeFrom);
        var state = CheckpointStore.Load(folder, Model, Optimizer);
        precision.PushWeights();
        Step = state.Step;
        epoch = state.Epoch;
        skipped = state.SkippedSteps;
        tokensSeen = state.TokensSeen;
        train.RestorePosition(epoch, Options.Seed, state.DataPosition ?? throw new TrainingException("the checkpoint has no data position", folder));
        if (state.RngState is not null)
        {
            using var rng = tensor(Convert.FromBase64String(state.RngState));
            set_rng_state(rng);
        }
    }

    private static byte[] RngBytes()
    {
        using var state = get_rng_state();
        return state.data<byte>().ToArray();
    }

    /// <summary>Frees the bf16 working copy and the optimizer state (not the model).</summary>
    public void Dispose()
    {
        Model.Model.LayerRunner = null;
        precision.Dispose();
        Optimizer.Dispose();
    }
}
