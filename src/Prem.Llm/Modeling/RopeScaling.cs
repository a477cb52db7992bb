namespace Prem.Llm.Modeling;

/// <summary>
/// RoPE scaling parameters as HuggingFace writes them in <c>rope_scaling</c> (or
/// <c>rope_parameters</c>). Unset fields take HF's defaults where the scaling type uses them.
/// </summary>
public sealed record RopeScaling
{
    /// <summary>"default", "linear", "dynamic", "yarn", "llama3" or "longrope".</summary>
    public string RopeType { get; init; } = "default";

    /// <summary>Context-length scale factor (linear, dynamic, yarn, llama3; optional for longrope).</summary>
    public double? Factor { get; init; }

    /// <summary>The context length the model was pre-trained with (yarn, llama3, longrope, dynamic).</summary>
    public int? OriginalMaxPositionEmbeddings { get; init; }

    /// <summary>Explicit multiplier for cos/sin (yarn, longrope); computed from the factor when null.</summary>
    public double? AttentionFactor { get; init; }

    /// <summary>YaRN: rotations where extrapolation starts (HF default 32).</summary>
    public double? BetaFast { get; init; }

    /// <summary>YaRN: rotations where interpolation ends (HF default 1).</summary>
    public double? BetaSlow { get; init; }

    /// <summary>YaRN (DeepSeek variant): mscale numerator.</summary>
    public double? Mscale { get; init; }

    /// <summary>YaRN (DeepSeek variant): mscale denominator.</summary>
    public double? MscaleAllDim { get; init; }

    /// <summary>YaRN: round the correction range to whole dimensions (HF default true).</summary>
    public bool? Truncate { get; init; }

    /// <summary>Llama-3: wavelengths above original/low_freq_factor are fully scaled.</summary>
    public double? LowFreqFactor { get; init; }

    /// <summary>Llama-3: wavelengths below original/high_freq_factor are kept.</summary>
    public double? HighFreqFactor { get; init; }

    /// <summary>LongRoPE: per-frequency divisors used up to the original length.</summary>
    public double[]? ShortFactor { get; init; }

    /// <summary>LongRoPE: per-frequency divisors used past the original length.</summary>
    public double[]? LongFactor { get; init; }

    /// <summary>The known scaling types.</summary>
    public static IReadOnlyList<string> KnownTypes { get; } = ["default", "linear", "dynamic", "yarn", "llama3", "longrope"];
}
