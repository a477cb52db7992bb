using System.Diagnostics;
using Prem.Llm.Adapters;
using Prem.Llm.Data;
using Prem.Llm.Devices;
using Prem.Llm.Distributed;
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
/// <para>
/// Data parallel: given a communicator of N ranks, every rank runs the same trainer on its own shard
/// of each global batch (<see cref="BatchSharding"/>). Rank 0's weights are broadcast at start; the
/// micro-batches accumulate locally with no communication; on the accumulation boundary the
/// gradients are summed over ranks in buckets, the loss having been normalised by the all-reduced
/// unit count of the global batch (see docs/distributed.md for the derivation), so N ranks × b give
/// the update of one rank × N·b. Clipping, skip decisions, loss and metrics are global. Rank 0 alone
/// writes checkpoints, metrics and progress; the other ranks write <c>Checkpoint.OutputDir/logs/rank{r}.log</c>.
/// </para>
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IObjective _objective;
    private readonly IBatchSource _train;
    private readonly IBatchSource? _validation;
    private readonly MixedPrecision _precision;
    private readonly CheckpointStore? _store;
    private readonly TrainerRanks _ranks;
    private long _tokensSeen;
    private int _epoch;
    private int _skipped;
    private volatile bool _stopRequested;
    private double _gpuPeakGiB;

    /// <summary>Prepares a run.</summary>
    /// <param name="model">The model to train (float32 for Float32 and Bf16Mixed, bfloat16 for Bf16); updated in place.</param>
    /// <param name="objective">The loss.</param>
    /// <param name="train">Training micro-batches.</param>
    /// <param name="options">Hyper-parameters and run settings.</param>
    /// <param name="validation">Validation micro-batches, or null.</param>
    /// <param name="communicator">The data-parallel group (not owned); null or one rank trains in this process alone.
    /// Every rank must construct its trainer with the same options; this constructor already communicates.</param>
    /// <exception cref="TrainingException">A batch source yields batches the objective cannot read, is sharded for another rank or
    /// world size, or the ranks disagree on the run length.</exception>
    public Trainer(LlamaForCausalLM model, IObjective objective, IBatchSource train, TrainerOptions options, IBatchSource? validation = null,
        ICommunicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this._objective = objective ?? throw new ArgumentNullException(nameof(objective));
        this._train = train ?? throw new ArgumentNullException(nameof(train));
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        // A missing tokenizer fails here, on every rank, rather than in the export after the whole run.
        if (options.Checkpoint is { ExportFinalModel: true, OutputDir: not null, TokenizerDirectory: { } tokenizer }) ModelExporter.TokenizerFiles(tokenizer);
        this._validation = validation;
        CheckBatchType(objective, train, nameof(train));
        if (validation is not null) CheckBatchType(objective, validation, nameof(validation));
        if (options.Threads is int threads) set_num_threads(threads);
        _ranks = new TrainerRanks(communicator, options.GradientBucketBytes);
        BatchSharding.Check(train, _ranks.Communicator, nameof(train));
        if (validation is not null) BatchSharding.Check(validation, _ranks.Communicator, nameof(validation));
        TotalSteps = options.Schedule.MaxSteps ?? (train.BatchesPerEpoch is long perEpoch
            ? options.Schedule.MaxEpochs * ((perEpoch + options.AccumulationSteps - 1) / options.AccumulationSteps)
            : throw new TrainingException("The batch source does not know its length: set Schedule.MaxSteps."));
        _ranks.CheckSameSteps(TotalSteps, train.BatchesPerEpoch ?? -1);
        CheckAdapters(model, options);
        // Before the bf16 copy and the optimizer state exist, so both start from rank 0's weights.
        _ranks.ShareWeights(model);
        _precision = new MixedPrecision(model, options.Precision.Mode);
        ActivationCheckpoint.Enable(_precision.Working, options.Precision.ActivationCheckpointing);
        Optimizer = ParameterGroups.CreateOptimizer(model, options.Optimizer);
        _precision.AttachOptimizer(Optimizer);
        Schedule = new LearningRateSchedule(options.Optimizer.LearningRate, Math.Max(1, TotalSteps), options.Schedule.WarmupFraction, options.Schedule.Decay, options.Schedule.MinLearningRate);
        if (options.Checkpoint.OutputDir is { } output) _store = new CheckpointStore(Path.Combine(output, "checkpoints"), options.Checkpoint.KeepLastCheckpoints)
            {
                TokenizerFiles = options.Checkpoint.TokenizerDirectory is { } tokenizerFiles ? Text.TokenizerFileSet.In(tokenizerFiles) : [],
            };
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
    internal LearningRateSchedule Schedule { get; }
    /// <summary>The model being trained (master weights).</summary>
    public LlamaForCausalLM Model => _precision.Master;
    /// <summary>Checkpoint folder management, when an output folder is set.</summary>
    internal CheckpointStore? Checkpoints => _store;
    /// <summary>The device the model trains on (the master weights' device; batches are moved there).</summary>
    public Device Device => _precision.Master.Device;
    /// <summary>The data-parallel group (a single-process one when none was given).</summary>
    public ICommunicator Communicator => _ranks.Communicator;
    /// <summary>True on rank 0, the rank that writes checkpoints, metrics and progress.</summary>
    public bool IsRoot => _ranks.IsRoot;
    /// <summary>Receives notices (stale temporary checkpoint folders removed, the folder a run resumes from); null discards them.</summary>
    public TextWriter? Log { get; set; }

    /// <summary>
    /// Asks <see cref="Run"/> to stop at the end of the current optimizer step, write a checkpoint (when an
    /// output folder is set, whatever <see cref="CheckpointOptions.SaveEveryNSteps"/> says) and return with
    /// <see cref="TrainingResult.Stopped"/> set, without the final validation and export. Unlike cancelling
    /// <see cref="Run"/>'s token, which abandons the run, nothing is lost. Safe to call from any thread
    /// (a signal handler); under data parallel a request on any rank stops every rank at the same step.
    /// </summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>
    /// Trains to <see cref="TotalSteps"/> (resuming first when <see cref="CheckpointOptions.ResumeFrom"/>
    /// is set), validating, logging and checkpointing as configured, then exports the model.
    /// </summary>
    /// <param name="progress">Receives step, validation, checkpoint and end updates.</param>
    /// <param name="cancellationToken">Stops between steps (no checkpoint is written on cancellation).</param>
    public TrainingResult Run(IProgress<TrainingUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        // Rank 0 owns the metrics file and the progress; the others keep a plain log of their own.
        string? outputDir = Options.Checkpoint.OutputDir;
        ComputeDevice.ManualSeed(Options.Seed);
        PrepareRunFolder();
        bool resumed = Options.Checkpoint.ResumeFrom is { } resumeFrom && Resume(resumeFrom);
        if (!resumed) _train.StartEpoch(_epoch = 0, Options.Seed);
        // A resumed run continues the metrics of the step it resumed from: rows past it (logged after that checkpoint) go.
        using var metrics = outputDir is null || !IsRoot ? null
            : new MetricsJsonlWriter(Path.Combine(outputDir, "metrics.jsonl"), resumed ? Step : 0);
        using var rankLog = outputDir is null || IsRoot ? null : new RankLogWriter(RankLog.Open(Communicator.Rank, Path.Combine(outputDir, "logs")), Communicator);
        var sinks = (IsRoot ? new IProgress<TrainingUpdate>?[] { progress, metrics } : [rankLog]).Where(p => p is not null).Select(p => p!).ToList();
        void Report(TrainingUpdate u) { foreach (var s in sinks) s.Report(u); }


        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        long startStep = Step, startTokens = _tokensSeen;
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
            // CUDA runs ahead of the host: the step's time is the device's, so wait for it before reading the clock.
            ComputeDevice.Synchronize(Device);

            var elapsed = clock.Elapsed;
            double perStep = elapsed.TotalSeconds / (Step - startStep);
            var update = new TrainingUpdate
            {
                Kind = outcome.Skipped ? TrainingUpdateKind.SkippedStep : TrainingUpdateKind.Step,
                Step = Step, TotalSteps = TotalSteps, Epoch = _epoch, Loss = outcome.Loss,
                LearningRate = outcome.LearningRate, GradientNorm = outcome.GradientNorm,
                TokensPerSecond = (_tokensSeen - startTokens) / Math.Max(elapsed.TotalSeconds, 1e-9),
                Elapsed = elapsed, Remaining = TimeSpan.FromSeconds(perStep * (TotalSteps - Step)),
                Metrics = WithGpuMemory(outcome.Metrics), SkippedSteps = _skipped,
            };
            if (outcome.Skipped || Step % Options.LogEveryNSteps == 0 || Step == TotalSteps) Report(update);
            if (Options.ValidateEveryNSteps is int every && Step % every == 0 && Step < TotalSteps && _validation is not null)
                Report(ValidationUpdate(Validate()));
            if (Step < TotalSteps && _ranks.AnyRank(_stopRequested))
            {
                // A stop request: checkpoint this step and return; the final validation and export wait for the resumed run.
                string? checkpoint = SaveCheckpoint(Report);
                return new TrainingResult(Step, _skipped, losses, null, null) { Stopped = true, CheckpointDirectory = checkpoint };
            }
            if (Options.Checkpoint.SaveEveryNSteps is int save && Step % save == 0 && Step < TotalSteps) SaveCheckpoint(Report);
        }

        ValidationResult? final = null;
        if (_validation is not null)
        {
            final = Validate();
            Report(ValidationUpdate(final));
        }
        string? export = null, lastCheckpoint = null;
        if (_store is not null)
        {
            lastCheckpoint = SaveCheckpoint(Report);
            export = Options.Checkpoint.ExportFinalModel ? Path.Combine(outputDir!, "final") : null;
            if (export is not null && IsRoot) ModelExporter.Export(Model, export, Options.Checkpoint.TokenizerDirectory, Options.Checkpoint.ExportDtype);
            if (export is not null && IsRoot && Options.Checkpoint.ExportMergedModel && LoraModel.Of(Model) is not null)
                ModelExporter.ExportMerged(Model, Path.Combine(outputDir!, "merged"), Options.Checkpoint.TokenizerDirectory, Options.Checkpoint.ExportDtype);
            _ranks.Barrier();
        }
        Report(new TrainingUpdate { Kind = TrainingUpdateKind.Finished, Step = Step, TotalSteps = TotalSteps, Epoch = _epoch, Elapsed = clock.Elapsed, SkippedSteps = _skipped });
        return new TrainingResult(Step, _skipped, losses, final, export) { CheckpointDirectory = lastCheckpoint };
    }

    /// <summary>The per-unit mean loss over the validation source (at most <see cref="TrainerOptions.LimitValidationBatches"/> batches).</summary>
    public ValidationResult Validate()
    {
        if (_validation is null) throw new TrainingException("No validation source was given.");
        using var noGrad = no_grad();
        // Eval mode: LoRA dropout (the only dropout a Llama here has) stays off while validating.
        bool wasTraining = _precision.Working.training;
        _precision.Working.eval();
        try { return ValidateInEvalMode(); }
        finally { _precision.Working.train(wasTraining); }
    }

    private ValidationResult ValidateInEvalMode()
    {
        _validation!.StartEpoch(0, Options.Seed);
        double lossSum = 0;
        long units = 0;
        for (int i = 0; Options.LimitValidationBatches is not int limit || i < limit; i++)
        {
            using var batch = _validation.Next();
            if (batch is null) break;
            TokenIdCheck.Require(batch, _precision.Working.Config.VocabSize, $"validation batch {i + 1}", m => new TrainingException(m));
            using var scope = NewDisposeScope();
            long n = _objective.CountUnits(batch);
            if (n == 0) continue;
            using var onDevice = Owned(BatchDevice.To(batch, Device), batch);
            lossSum += _objective.Compute(_precision.Working, onDevice.Batch, n).Loss.item<float>() * n;
            units += n;
        }
        if (_ranks.Distributed)
        {
            var sums = new Dictionary<string, double> { ["units"] = units };
            lossSum = _ranks.ReduceLossAndMetrics(lossSum, sums);
            units = (long)sums["units"];
        }
        return new ValidationResult(units == 0 ? double.NaN : lossSum / units, units);
    }

    /// <summary>
    /// Writes the master model as an HF folder in <paramref name="dtype"/> (the weights' dtype when null) and copies
    /// the tokenizer files of <paramref name="tokenizerDirectory"/> (a folder, or a single tokenizer file) next to it:
    /// tokenizer.model, <c>*.tiktoken</c>, tokenizer.json, tokenizer_config.json, special_tokens_map.json,
    /// added_tokens.json and generation_config.json, where present. The final export of <see cref="Run"/>
    /// (<see cref="CheckpointOptions.ExportFinalModel"/>) writes the same folder.
    /// </summary>
    /// <exception cref="TrainingException">The tokenizer folder or file does not exist (nothing is written then).</exception>
    public void ExportModel(string directory, string? tokenizerDirectory = null, ScalarType? dtype = null) =>
        ModelExporter.Export(Model, directory, tokenizerDirectory, dtype);

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

    /// <summary>
    /// LoRA adapters train only while attached, enabled and unmerged (merged adapters receive no gradient). Their
    /// dropout on CUDA draws from the device's generator, whose state a checkpointed layer's recomputation does not
    /// restore (only the CPU's), so that combination is refused.
    /// </summary>
    private static void CheckAdapters(LlamaForCausalLM model, TrainerOptions options)
    {
        if (LoraModel.Of(model) is not { } lora) return;
        if (lora.Merged) throw new TrainingException("the model's LoRA adapters are merged into its weights; unmerge them before training.");
        if (!lora.Enabled) throw new TrainingException("the model's LoRA adapters are disabled; enable them before training.");
        if (lora.Config.Dropout > 0 && options.Precision.ActivationCheckpointing && model.Device.type != DeviceType.CPU)
            throw new TrainingException($"lora_dropout {lora.Config.Dropout} with activation checkpointing on {model.Device}: the recomputed layers would draw other dropout masks there; set lora_dropout to 0 or turn checkpointing off.");
    }

    /// <summary>Refuses a source whose batches can never be the objective's batch type (a source of unknown type passes).</summary>
    private static void CheckBatchType(IObjective objective, IBatchSource source, string name)
    {
        Type needed = objective.BatchType, given = source.BatchType;
        if (!needed.IsAssignableFrom(given) && !given.IsAssignableFrom(needed))
            throw new TrainingException($"the {name} batch source yields {given.Name} batches but the {objective.Name} objective reads {needed.Name} batches.");
    }

    private List<TrainingBatch>? NextMicroBatches()
    {
        var micro = new List<TrainingBatch>();
        while (true)
        {
            while (micro.Count < Options.AccumulationSteps && _train.Next() is { } batch) micro.Add(batch);
            if (micro.Count > 0) return micro;
            // The epoch is over; a short last step was already taken with what was left.
            if (Options.Schedule.MaxSteps is null && _epoch + 1 >= Options.Schedule.MaxEpochs) return null;
            _train.StartEpoch(++_epoch, Options.Seed);
        }
    }

    private readonly record struct StepOutcome(double Loss, double LearningRate, double GradientNorm, bool Skipped, IReadOnlyDictionary<string, double> Metrics);

    private StepOutcome TrainStep(IReadOnlyList<TrainingBatch> micro)
    {
        for (int i = 0; i < micro.Count; i++)
            TokenIdCheck.Require(micro[i], _precision.Working.Config.VocabSize, $"step {Step + 1}, micro-batch {i + 1}", m => new TrainingException(m));
        using var scope = NewDisposeScope();
        // The units of the whole global batch: every rank's micro-batches are scaled by the same 1/U.
        var (globalUnits, globalTokens) = _ranks.GlobalCounts(micro.Sum(_objective.CountUnits), micro.Sum(b => b.TokenCount));
        long units = Math.Max(1, globalUnits);
        double loss = 0;
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var batch in micro)
        {
            using var inner = NewDisposeScope();
            using var onDevice = Owned(BatchDevice.To(batch, Device), batch);
            var result = _objective.Compute(_precision.Working, onDevice.Batch, units);
            result.Loss.backward();
            loss += result.Loss.item<float>();
            foreach (var (k, v) in result.MetricSums) sums[k] = sums.GetValueOrDefault(k) + v;
            _precision.PullGradients();
        }
        _tokensSeen += globalTokens;
        // The accumulation boundary: the step's only gradient communication, on the float32 master
        // gradients (bf16-mixed included: summing bf16 would round every partial sum to 8 bits).
        _ranks.ReduceGradients(Optimizer.Parameters.Select(p => (Tensor)p.Param));
        loss = _ranks.ReduceLossAndMetrics(loss, sums);
        var metrics = sums.ToDictionary(kv => kv.Key, kv => kv.Value / units);
        double norm = GradientClipping.GlobalNorm(Optimizer.Parameters.Select(p => p.Param.grad).OfType<Tensor>());
        double lr = Schedule.At(Step);
        if (_ranks.AnyRank(!double.IsFinite(loss) || !double.IsFinite(norm)))
        {
            Optimizer.ZeroGrad();
            if (++_skipped > Options.MaxNonFiniteSteps)
                throw new TrainingException($"Step {Step + 1}: non-finite loss ({loss}) or gradient norm ({norm}); {_skipped} steps skipped, more than MaxNonFiniteSteps = {Options.MaxNonFiniteSteps}.");
            return new StepOutcome(loss, lr, norm, true, metrics);
        }
        // Clipping is applied as the optimizer reads the gradients, and the optimizer writes the bf16 weights.
        Optimizer.Step(lr, GradientClipping.Coefficient(norm, Options.Optimizer.GradientClipNorm));
        Optimizer.ZeroGrad();
        return new StepOutcome(loss, lr, norm, false, metrics);
    }

    /// <summary>A moved batch disposed at the end of its micro-step; the caller's batch stays the caller's.</summary>
    private readonly struct MovedBatch(TrainingBatch batch, TrainingBatch original) : IDisposable
    {
        public TrainingBatch Batch => batch;
        public void Dispose() { if (!ReferenceEquals(batch, original)) batch.Dispose(); }
    }

    private static MovedBatch Owned(TrainingBatch moved, TrainingBatch original) => new(moved, original);

    /// <summary>
    /// The step's metrics plus, on CUDA, the device's used memory and its peak over the run so far, in GiB
    /// (<c>gpu_memory_gib</c>, <c>gpu_memory_peak_gib</c>; see <see cref="GpuMemory"/> for what "used" covers).
    /// </summary>
    private IReadOnlyDictionary<string, double> WithGpuMemory(IReadOnlyDictionary<string, double> metrics)
    {
        if (GpuMemory.Of(Device) is not { } memory) return metrics;
        _gpuPeakGiB = Math.Max(_gpuPeakGiB, memory.UsedGiB);
        return new Dictionary<string, double>(metrics) { ["gpu_memory_gib"] = memory.UsedGiB, ["gpu_memory_peak_gib"] = _gpuPeakGiB };
    }

    private TrainingUpdate ValidationUpdate(ValidationResult v) => new()
    {
        Kind = TrainingUpdateKind.Validation, Step = Step, TotalSteps = TotalSteps, Epoch = _epoch, Loss = v.Loss,
        Metrics = new Dictionary<string, double> { ["loss"] = v.Loss, ["perplexity"] = v.Perplexity },
    };

    private string? SaveCheckpoint(Action<TrainingUpdate> report)
    {
        if (_store is null) return null;
        string? folder = null;
        if (IsRoot)
        {
            // The replicas are identical and every rank is at the same step and data position (in
            // global batches), so rank 0's checkpoint is everyone's.
            var state = new TrainerState
            {
                Step = Step, Epoch = _epoch, OptimizerSteps = Optimizer.StepCount, SkippedSteps = _skipped, TokensSeen = _tokensSeen,
                DataPosition = _train.SavePosition(), RngState = Convert.ToBase64String(RngBytes()),
            };
            folder = _store.Save(Model, Optimizer, state);
        }
        // No rank runs ahead of a checkpoint that is still being written (nor exits before it is complete).
        _ranks.Barrier();
        report(new TrainingUpdate { Kind = TrainingUpdateKind.Checkpoint, Step = Step, TotalSteps = TotalSteps, Epoch = _epoch, Path = folder, SkippedSteps = _skipped });
        return folder ?? _store.CheckpointFolder(Step);
    }

    /// <summary>
    /// Rank 0 readies the run folder: removes the temporary folders of saves that were killed, and refuses a
    /// folder an earlier run used (metrics or checkpoints) unless the run resumes or <see cref="CheckpointOptions.Overwrite"/>
    /// is set, in which case the earlier metrics, checkpoints and final model are deleted.
    /// </summary>
    private void PrepareRunFolder()
    {
        if (Options.Checkpoint.OutputDir is not { } outputDir || _store is null) return;
        string error = "";
        if (IsRoot)
        {
            try
            {
                var removed = _store.RemoveStaleTemporaries();
                if (removed.Count > 0)
                    Log?.WriteLine($"notice: removed {removed.Count} unfinished checkpoint folder{(removed.Count == 1 ? "" : "s")} left by an interrupted save: {string.Join(", ", removed.Select(Path.GetFileName))}");
                var c = Options.Checkpoint;
                string metricsPath = Path.Combine(outputDir, "metrics.jsonl"), finalPath = Path.Combine(outputDir, "final");
                RunFolder.ThrowIfReused(c, outputDir);
                if (c.ResumeFrom is null && c.Overwrite && RunFolder.IsUsed(outputDir))
                {
                    if (Directory.Exists(_store.Directory)) Directory.Delete(_store.Directory, recursive: true);
                    if (Directory.Exists(finalPath)) Directory.Delete(finalPath, recursive: true);
                    File.Delete(metricsPath);
                }
            }
            catch (Exception e) when (_ranks.Distributed && e is TrainingException or IOException) { error = "\0" + e.Message; }
        }
        error = _ranks.FromRoot(error);
        if (error.StartsWith('\0')) throw new TrainingException($"rank {Communicator.Rank}/{Communicator.Size}: rank 0 cannot use the run folder: {error[1..]}");
    }

    /// <summary>Loads the checkpoint <paramref name="resumeFrom"/> names; false when it is "auto" and there is none yet.</summary>
    private bool Resume(string resumeFrom)
    {
        // Rank 0 decides which folder "latest" means, so every rank loads the same checkpoint.
        string resolved = "";
        if (IsRoot)
        {
            try
            {
                resolved = resumeFrom == CheckpointOptions.ResumeAuto
                    ? _store?.TryResolveLatest() ?? ""
                    : _store?.Resolve(resumeFrom) ?? new CheckpointStore(resumeFrom, 1).Resolve(resumeFrom);
            }
            catch (TrainingException e) when (_ranks.Distributed) { resolved = "\0" + e.Message; }
        }
        var folder = _ranks.FromRoot(resolved);
        if (folder.StartsWith('\0')) throw new TrainingException($"rank {Communicator.Rank}/{Communicator.Size}: rank 0 cannot resume: {folder[1..]}");
        if (folder.Length == 0)
        {
            Log?.WriteLine("notice: resume_from: auto found no checkpoint; starting a new run.");
            return false;
        }
        Log?.WriteLine($"notice: resuming from {folder}");
        var state = CheckpointStore.Load(folder, Model, Optimizer);
        _ranks.VerifyWeights(Model);
        _precision.PushWeights();
        Step = state.Step;
        _epoch = state.Epoch;
        _skipped = state.SkippedSteps;
        _tokensSeen = state.TokensSeen;
        _train.RestorePosition(_epoch, Options.Seed, state.DataPosition ?? throw new TrainingException("the checkpoint has no data position", folder));
        if (state.RngState is not null)
        {
            using var rng = tensor(Convert.FromBase64String(state.RngState));
            set_rng_state(rng);
        }
        return true;
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
        _ranks.Dispose();
        _precision.Dispose();
        Optimizer.Dispose();
    }
}
