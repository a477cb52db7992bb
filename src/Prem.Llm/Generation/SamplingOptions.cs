using Prem.Llm.Modeling;

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

    /// <summary>
    /// The settings a model folder's <c>generation_config.json</c> asks for, as transformers'
    /// <c>generate</c> reads them: greedy unless do_sample is true; when sampling, HF's defaults
    /// (temperature 1, top-k 50, top-p 1) fill what the file leaves out. New tokens: max_new_tokens,
    /// else max_length minus <paramref name="promptLength"/>, else this type's default. Stop ids:
    /// the file's eos_token_id, else <paramref name="modelEosTokenIds"/> (config.json's).
    /// </summary>
    /// <param name="config">The generation config; null gives greedy decoding with the model's EOS ids.</param>
    /// <param name="modelEosTokenIds">config.json's eos_token_id, used when the file names none.</param>
    /// <param name="promptLength">Tokens in the prompt, for max_length.</param>
    public static SamplingOptions FromGenerationConfig(GenerationConfig? config, IReadOnlyList<int> modelEosTokenIds, int promptLength = 0)
    {
        ArgumentNullException.ThrowIfNull(modelEosTokenIds);
        var greedy = new SamplingOptions { StopTokenIds = modelEosTokenIds };
        if (config is null) return greedy;
        bool sample = config.DoSample ?? false;
        return greedy with
        {
            MaxNewTokens = config.MaxNewTokens ?? (config.MaxLength is int max ? Math.Max(0, max - promptLength) : greedy.MaxNewTokens),
            Temperature = sample ? config.Temperature ?? 1.0 : 0,
            TopK = sample ? config.TopK ?? 50 : 0,
            TopP = sample ? config.TopP ?? 1.0 : 1.0,
            RepetitionPenalty = config.RepetitionPenalty ?? 1.0,
            StopTokenIds = config.EosTokenIds.Count > 0 ? config.EosTokenIds : modelEosTokenIds,
        };
    }

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
