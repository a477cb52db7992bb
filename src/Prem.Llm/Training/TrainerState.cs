using System.Text.Json.Nodes;

namespace Prem.Llm.Training;

/// <summary>The loop's counters, saved in <c>trainer_state.json</c> of each checkpoint.</summary>
internal sealed record TrainerState
{
    /// <summary>Optimizer steps completed (including skipped ones).</summary>
    public long Step { get; init; }
    /// <summary>The current epoch, 0-based.</summary>
    public int Epoch { get; init; }
    /// <summary>AdamW's update count t.</summary>
    public long OptimizerSteps { get; init; }
    /// <summary>Steps skipped for a non-finite loss or gradient.</summary>
    public int SkippedSteps { get; init; }
    /// <summary>Tokens fed to the model so far.</summary>
    public long TokensSeen { get; init; }
    /// <summary>The data source's position inside <see cref="Epoch"/>.</summary>
    public JsonNode? DataPosition { get; init; }
    /// <summary>Torch's CPU generator state, base64.</summary>
    public string? RngState { get; init; }
}
