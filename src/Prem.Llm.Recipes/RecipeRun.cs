using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Recipes;

/// <summary>
/// A recipe built into the trainer's pieces (model, objective, data, options), ready to run. Build one
/// with <see cref="RecipeBuilder"/>; inspect the pieces, or call <see cref="Run"/>. Owns the model and
/// the data sets.
/// </summary>
public sealed class RecipeRun : IDisposable
{
    private readonly List<IDisposable> _owned;
    private readonly TextWriter? _log;
    private readonly Lock _stopLock = new();
    private Trainer? _trainer;
    private bool _stopRequested;

    internal RecipeRun(LlamaForCausalLM model, IObjective objective, IBatchSource train, IBatchSource? validation,
        TrainerOptions options, string attention, List<IDisposable> owned,
        Distributed.ICommunicator communicator, TextWriter? log = null)
    {
        _log = log;
        Communicator = communicator;
        Model = model;
        Objective = objective;
        Train = train;
        Validation = validation;
        Options = options;
        Attention = attention;
        this._owned = owned;
    }

    /// <summary>The model to train (master weights).</summary>
    public LlamaForCausalLM Model { get; }
    /// <summary>The loss.</summary>
    public IObjective Objective { get; }
    /// <summary>Training micro-batches.</summary>
    public IBatchSource Train { get; }
    /// <summary>Validation micro-batches, or null.</summary>
    public IBatchSource? Validation { get; }
    /// <summary>The trainer options the recipe means.</summary>
    public TrainerOptions Options { get; }
    /// <summary>The tokenizer copied next to the exported model, or null (<see cref="CheckpointOptions.TokenizerDirectory"/> of <see cref="Options"/>).</summary>
    public string? TokenizerDirectory => Options.Checkpoint.TokenizerDirectory;
    /// <summary>Weight dtype of the exported model; null keeps the training dtype (<see cref="CheckpointOptions.ExportDtype"/> of <see cref="Options"/>).</summary>
    public ScalarType? ExportDtype => Options.Checkpoint.ExportDtype;
    /// <summary>The attention backend actually used ("eager", "sdpa", or a host's, e.g. "flash").</summary>
    public string Attention { get; }
    /// <summary>The ranks training together (one process unless a launcher started several).</summary>
    public Distributed.ICommunicator Communicator { get; }
    /// <summary>Where <see cref="Run"/> exports the final model: <c>output_dir/final</c>.</summary>
    public string FinalModelDirectory => Path.Combine(Options.Checkpoint.OutputDir!, "final");

    /// <summary>
    /// Trains with the one <see cref="Trainer"/> (checkpoints, metrics.jsonl, resume as the options say),
    /// which then exports the final model as an HF folder with the tokenizer (see <see cref="Trainer.ExportModel"/>).
    /// </summary>
    public TrainingResult Run(IProgress<TrainingUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Options.Checkpoint.OutputDir!);
        using var trainer = new Trainer(Model, Objective, Train, Options, Validation, Communicator) { Log = _log };
        lock (_stopLock)
        {
            _trainer = trainer;
            if (_stopRequested) trainer.RequestStop();
        }
        try { return trainer.Run(progress, cancellationToken); }
        finally { lock (_stopLock) _trainer = null; }
    }

    /// <summary>
    /// Asks <see cref="Run"/> to stop at the end of the current optimizer step and write a checkpoint
    /// (see <see cref="Trainer.RequestStop"/>); a request made before training starts stops after the first step.
    /// Safe to call from any thread (a signal handler).
    /// </summary>
    public void RequestStop()
    {
        lock (_stopLock)
        {
            _stopRequested = true;
            _trainer?.RequestStop();
        }
    }

    /// <summary>Disposes the model, any reference model and the data sets.</summary>
    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
