using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Scores requests by full forward passes of a causal LM, as lm-eval's Hugging Face backend does:
/// requests sorted by descending length, batched, right-padded (padding sits after every real token,
/// so a causal model's real positions do not see it), one <c>log_softmax</c>, and the continuation
/// positions gathered. Also the fallback for models without a KV cache.
/// </summary>
internal sealed class CausalLmScorer : ILogLikelihoodScorer
{
    private readonly Func<Tensor, Tensor> _model;
    private readonly int _batchSize;
    private readonly Device _device;

    /// <summary>Creates a scorer.</summary>
    /// <param name="model">Input ids <c>[batch, seq]</c> int64 → logits <c>[batch, seq, vocab]</c>.</param>
    /// <param name="maxLength">The model window in tokens.</param>
    /// <param name="batchSize">Requests per forward pass.</param>
    /// <param name="device">Where the input ids are placed; CPU when null.</param>
    public CausalLmScorer(Func<Tensor, Tensor> model, int maxLength, int batchSize = 16, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        MaxLength = maxLength;
        _batchSize = batchSize;
        _device = device ?? CPU;
    }

    /// <inheritdoc/>
    public int MaxLength { get; }

    /// <inheritdoc/>
    public IReadOnlyList<LogLikelihood> Score(IReadOnlyList<TokenizedRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var inputs = requests.Select(r => r.ModelInput(MaxLength)).ToArray();
        // Longest first, as lm-eval: padding waste stays small and an out-of-memory batch shows up at once.
        var order = Enumerable.Range(0, requests.Count).OrderByDescending(i => requests[i].TotalLength).ToArray();
        var results = new LogLikelihood[requests.Count];
        using var noGrad = no_grad();
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(_batchSize, order.Length - start)).ToArray();
            using var scope = NewDisposeScope();
            int padLength = batch.Max(i => inputs[i].Length);
            var ids = new long[batch.Length * padLength];
            for (int b = 0; b < batch.Length; b++)
                for (int t = 0; t < inputs[batch[b]].Length; t++)
                    ids[b * padLength + t] = inputs[batch[b]][t];
            var logProbs = _model(tensor(ids, [batch.Length, padLength], device: _device)).to(float32).log_softmax(-1).cpu();
            for (int b = 0; b < batch.Length; b++)
            {
                var continuation = requests[batch[b]].Continuation;
                int end = inputs[batch[b]].Length;
                results[batch[b]] = ContinuationScore.Sum(logProbs[b].narrow(0, end - continuation.Count, continuation.Count), continuation);
            }
            progress?.Report(batch.Length);
        }
        return results;
    }
}
