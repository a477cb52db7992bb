using System.Numerics.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Generation;

/// <summary>
/// Picks one sequence's next tokens from its float32 logits [vocab] as <see cref="TextGenerator"/>'s CPU path
/// does for a batch of one: repetition penalty on the seen ids, argmax (lowest id on a tie) when greedy,
/// else <see cref="LogitsProcessor.Pick"/> with a generator seeded by <see cref="SamplingOptions.Seed"/>.
/// Each sequence has its own sampler, so a request's tokens do not depend on what else is in the batch.
/// </summary>
internal sealed class RowSampler : IDisposable
{
    readonly SamplingOptions _options;
    readonly int _vocab;
    readonly SeenTokens? _seen;
    readonly torch.Generator? _generator;

    /// <summary>A sampler for a sequence that starts with <paramref name="prompt"/>.</summary>
    public RowSampler(IReadOnlyList<int> prompt, SamplingOptions options, int vocab)
    {
        _options = options;
        _vocab = vocab;
        if (options.RepetitionPenalty != 1.0)
        {
            _seen = new SeenTokens(1, vocab);
            _seen.AddRange(0, prompt);
        }
        _generator = options.Temperature == 0 ? null : new torch.Generator((ulong)options.Seed);
    }

    /// <summary>The next token from <paramref name="logits"/> [vocab] (penalised in place), remembered as seen.</summary>
    public int Pick(float[] logits)
    {
        if (logits.Length != _vocab) throw new ArgumentException($"Expected {_vocab} logits, got {logits.Length}.", nameof(logits));
        _seen?.Penalize(logits, _options.RepetitionPenalty);
        int token;
        if (_generator is null)
            token = TensorPrimitives.IndexOfMax<float>(logits);
        else
        {
            using var scope = NewDisposeScope();
            token = (int)LogitsProcessor.Pick(tensor(logits, [1, _vocab]), _options, _generator).data<long>()[0];
        }
        _seen?.Add(0, token);
        return token;
    }

    /// <summary>Frees the seeded generator.</summary>
    public void Dispose() => _generator?.Dispose();
}
