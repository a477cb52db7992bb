using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Generation;

/// <summary>Turns the last position's logits into the next token, as HF's logits processors and warpers do.</summary>
internal static class LogitsProcessor
{
    /// <summary>
    /// HF's repetition penalty on float32 logits [batch, vocab]: every id in <paramref name="seen"/>
    /// [batch, n] gets logit / penalty when positive, logit · penalty otherwise.
    /// </summary>
    public static Tensor ApplyRepetitionPenalty(Tensor logits, Tensor seen, double penalty)
    {
        if (penalty == 1.0) return logits.alias();
        using var scope = NewDisposeScope();
        var picked = logits.gather(1, seen);
        var penalised = where(picked.lt(0), picked.mul(penalty), picked.div(penalty));
        return logits.scatter(1, seen, penalised).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps the <paramref name="k"/> largest logits per row; the rest become −∞.</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[^1]) return logits.alias();
        using var scope = NewDisposeScope();
        var kth = logits.topk(k, dim: -1).values.narrow(-1, k - 1, 1);
        return logits.masked_fill(logits.lt(kth), double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Nucleus filter: keeps the most likely tokens until their probability reaches <paramref name="p"/>
    /// (always at least one); the rest become −∞.
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1.0) return logits.alias();
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.sort(dim: -1, descending: false);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        var removeSorted = cumulative.le(1 - p);
        removeSorted.narrow(-1, removeSorted.shape[^1] - 1, 1).fill_(false);
        var remove = removeSorted.scatter(-1, order, removeSorted);
        return logits.masked_fill(remove, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>The next token per row [batch] (int64) from float32 logits [batch, vocab].</summary>
    public static Tensor Pick(Tensor logits, SamplingOptions options, torch.Generator? generator)
    {
        using var scope = NewDisposeScope();
        if (options.Temperature == 0) return logits.argmax(-1).MoveToOuterDisposeScope();
        var scaled = logits.div(options.Temperature);
        scaled = TopP(TopK(scaled, options.TopK), options.TopP);
        var probs = scaled.softmax(-1);
        // The seeded generator is a CPU one: off the CPU the draw happens on a host copy of the [batch, vocab]
        // probabilities (LibTorch refuses a CPU generator for CUDA tensors), so a seed picks the same tokens on every device.
        if (generator is not null && probs.device_type != DeviceType.CPU)
            return multinomial(probs.cpu(), 1, generator: generator).squeeze(-1).to(probs.device).MoveToOuterDisposeScope();
        return multinomial(probs, 1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }
}
