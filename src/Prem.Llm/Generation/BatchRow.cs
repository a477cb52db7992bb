namespace Prem.Llm.Generation;

/// <summary>A request while it holds a row of the <see cref="ContinuousBatcher"/>: its slot, logits and sampler.</summary>
internal sealed class BatchRow(BatchedGeneration request, int vocab) : IDisposable
{
    readonly RowSampler _sampler = new(request.PromptIds, request.Options, vocab);
    readonly HashSet<int> _stops = [.. request.Options.StopTokenIds];
    int _produced;

    /// <summary>The request this row serves.</summary>
    public BatchedGeneration Request { get; } = request;

    /// <summary>The KV-cache slot of the batched decoder.</summary>
    public int Slot { get; set; }

    /// <summary>The next-token logits [vocab] from the latest prefill or step.</summary>
    public float[] Logits { get; } = new float[vocab];

    /// <summary>The token picked last, fed to the next step.</summary>
    public int LastToken { get; private set; }

    /// <summary>
    /// Picks and sends the next token unless <paramref name="cancelled"/>; returns why the request ends
    /// now, or null when it goes on to the next step.
    /// </summary>
    public BatchFinishReason? Advance(bool cancelled)
    {
        if (cancelled) return BatchFinishReason.Cancelled;
        LastToken = _sampler.Pick(Logits);
        _produced++;
        Request.Write(LastToken);
        if (_stops.Contains(LastToken)) return BatchFinishReason.Stop;
        if (_produced >= Request.Options.MaxNewTokens) return BatchFinishReason.Length;
        return null;
    }

    /// <summary>Frees the sampler.</summary>
    public void Dispose() => _sampler.Dispose();
}
