using static TorchSharp.torch;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Scores requests with prefix reuse: requests with identical context ids (a question's choices)
/// share one <see cref="IPrefixCachingModel.Prefill"/> of the context, and their continuations run
/// batched through <see cref="IPrefixCachingModel.Continue"/>. Equal in value to a full forward pass
/// over <c>context + continuation[:-1]</c>. Requests that must be cut to the window are scored by a
/// prefill of their truncated input alone, exactly like <see cref="CausalLmScorer"/>.
/// </summary>
public sealed class PrefixReuseScorer : ILogLikelihoodScorer
{
    private readonly IPrefixCachingModel _model;
    private readonly int _batchSize;

    /// <summary>Creates a scorer; <paramref name="batchSize"/> continuations run per <c>Continue</c> call.</summary>
    public PrefixReuseScorer(IPrefixCachingModel model, int batchSize = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _batchSize = batchSize;
    }

    /// <inheritdoc/>
    public int MaxLength => _model.MaxLength;

    /// <inheritdoc/>
    public IReadOnlyList<LogLikelihood> Score(IReadOnlyList<TokenizedRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new LogLikelihood[requests.Count];
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < requests.Count; i++)
        {
            var input = requests[i].ModelInput(MaxLength); // validates every request up front
            if (requests[i].IsTruncated(MaxLength))
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[i] = ScoreAlone(input, requests[i].Continuation);
                progress?.Report(1);
                continue;
            }
            string key = string.Join(',', requests[i].Context);
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }
            members.Add(i);
        }
        foreach (var key in order)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ScoreGroup(requests, groups[key], results);
            progress?.Report(groups[key].Count);
        }
        return results;
    }

    private LogLikelihood ScoreAlone(int[] input, IReadOnlyList<int> continuation)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (state, logits) = _model.Prefill(tensor(input.Select(t => (long)t).ToArray()));
        using (state)
        {
            var logProbs = logits.to(float32).log_softmax(-1);
            return ContinuationScore.Sum(logProbs.narrow(0, input.Length - continuation.Count, continuation.Count), continuation);
        }
    }

    private void ScoreGroup(IReadOnlyList<TokenizedRequest> requests, List<int> members, LogLikelihood[] results)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var context = requests[members[0]].Context;
        var (state, logits) = _model.Prefill(tensor(context.Select(t => (long)t).ToArray()));
        using (state)
        {
            // The context's last position predicts every member's first continuation token.
            var first = logits[-1].to(float32).log_softmax(-1).unsqueeze(0);
            var sorted = members.OrderByDescending(i => requests[i].Continuation.Count).ToArray();
            for (int start = 0; start < sorted.Length; start += _batchSize)
            {
                var batch = sorted.AsSpan(start, Math.Min(_batchSize, sorted.Length - start)).ToArray();
                using var batchScope = NewDisposeScope();
                int rest = batch.Max(i => requests[i].Continuation.Count) - 1;
                Tensor? tail = null;
                if (rest > 0)
                {
                    var ids = new long[batch.Length * rest];
                    for (int b = 0; b < batch.Length; b++)
                    {
                        var cont = requests[batch[b]].Continuation;
                        for (int t = 0; t < cont.Count - 1; t++) ids[b * rest + t] = cont[t];
                    }
                    tail = _model.Continue(state, tensor(ids, [batch.Length, rest], device: first.device)).to(float32).log_softmax(-1);
                }
                for (int b = 0; b < batch.Length; b++)
                {
                    var cont = requests[batch[b]].Continuation;
                    var rows = cont.Count == 1 ? first : cat([first, tail![b].narrow(0, 0, cont.Count - 1)], 0);
                    results[batch[b]] = ContinuationScore.Sum(rows, cont);
                }
            }
        }
    }
}
