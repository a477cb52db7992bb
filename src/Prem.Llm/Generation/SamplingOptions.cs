namespace Prem.Llm.Generation;

/// <summary>How <see cref="TextGenerator"/> picks tokens and when it stops. Defaults are greedy decoding.</summary>
public sealed record SamplingOptions
{
    /// <summary>Most tokens generated per row.</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Softmax temperature; 0 means greedy (argmax, lowest id on a tie).</summary>
    public double Temperature { get; init; }

    /// <summary>Keep only the k most likely tokens before sampling; 0 turns it off.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of tokens whose probability reaches p; 1 turns it off.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>HF's repetition penalty: logits of seen tokens divided (if positive) or multiplied by it; 1 is off.</summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>A row stops after producing any of these ids (e.g. EOS and &lt;|eot_id|&gt;); the id is kept in the output.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Seed of the sampler; the same seed gives the same tokens.</summary>
    public long Seed { get; init; }

    /// <summary>Reuse keys and values of earlier positions (true) or recompute the whole sequence each step.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>The Prem-1B recipe's chat settings: temperature 0.7, top-k 50, top-p 0.95, 400 tokens.</summary>
    public static SamplingOptions Prem1BChat(params int[] stopTokenIds) =>
        new() { MaxNewTokens = 400, Temperature = 0.7, TopK = 50, TopP = 0.95, StopTokenIds = stopTokenIds };

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the option.</summary>
    public SamplingOptions Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentException($"MaxNewTokens must be ≥ 0, got {MaxNewTokens}.", nameof(MaxNewTokens));
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"Temperature must be ≥ 0, got {Temperature}.", nameof(Temperature));
        if (TopK < 0) throw new ArgumentException($"TopK must be ≥ 0, got {TopK}.", nameof(TopK));
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"TopP must be in (0, 1], got {TopP}.", nameof(TopP));
        if (!(RepetitionPenalty > 0) || double.IsInfinity(RepetitionPenalty)) throw new ArgumentException($"RepetitionPenalty must be > 0, got {RepetitionPenalty}.", nameof(RepetitionPenalty));
        return this;
    }
}
