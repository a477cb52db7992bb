using System.Runtime.CompilerServices;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Generation;

/// <summary>
/// Autoregressive decoding for a <see cref="LlamaForCausalLM"/>: one or many prompts (left-padded
/// into a batch), greedy or sampled, with or without the KV cache, whole or streamed.
/// </summary>
public sealed class TextGenerator(LlamaForCausalLM model)
{
    /// <summary>The new tokens for one prompt (ending with the stop id when one was produced).</summary>
    public IReadOnlyList<int> Generate(IReadOnlyList<int> prompt, SamplingOptions options) =>
        GenerateBatch([prompt], options)[0];

    /// <summary>The new tokens for each prompt; prompts may differ in length.</summary>
    public IReadOnlyList<IReadOnlyList<int>> GenerateBatch(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options)
    {
        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        foreach (var step in Steps(prompts, options))
            for (int row = 0; row < step.Length; row++)
                if (step[row] >= 0) outputs[row].Add(step[row]);
        return outputs;
    }

    /// <summary>The new tokens of one prompt as they are produced.</summary>
    public async IAsyncEnumerable<int> GenerateStreaming(IReadOnlyList<int> prompt, SamplingOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var steps = Steps([prompt], options).GetEnumerator();
        while (await Task.Run(steps.MoveNext, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (steps.Current[0] >= 0) yield return steps.Current[0];
        }
    }

    /// <summary>Each step's token per row, or −1 for rows that have already stopped.</summary>
    IEnumerable<int[]> Steps(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options)
    {
        options.Validate();
        if (prompts.Count == 0) yield break;
        foreach (var (p, i) in prompts.Select((p, i) => (p, i)))
        {
            if (p.Count == 0) throw new ArgumentException($"Prompt {i} is empty; start it with at least one token (e.g. BOS).", nameof(prompts));
            foreach (int id in p)
                if (id < 0 || id >= model.Config.VocabSize)
                    throw new ArgumentException($"Prompt {i} has token id {id}, outside the vocabulary [0, {model.Config.VocabSize}).", nameof(prompts));
        }

        int batch = prompts.Count;
        int longest = prompts.Max(p => p.Count);
        int pad = model.Config.PadTokenId ?? 0;
        var ids = new long[batch * longest];
        var real = new long[batch * longest];
        bool padded = false;
        for (int row = 0; row < batch; row++)
        {
            int shift = longest - prompts[row].Count;
            padded |= shift > 0;
            for (int t = 0; t < longest; t++)
            {
                ids[row * longest + t] = t < shift ? pad : prompts[row][t - shift];
                real[row * longest + t] = t < shift ? 0 : 1;
            }
        }

        var stops = options.StopTokenIds.ToHashSet();
        var finished = new bool[batch];
        using var generator = new torch.Generator((ulong)options.Seed);
        using var cache = options.UseCache ? model.CreateCache(batch, longest + options.MaxNewTokens) : null;
        using var noGrad = no_grad();
        var sequence = tensor(ids, [batch, longest]).to(model.Device).DetachFromDisposeScope();
        var mask = padded ? tensor(real, [batch, longest]).to(model.Device).DetachFromDisposeScope() : null;
        var stepInput = sequence;
        var stepMask = mask;
        try
        {
            for (int step = 0; step < options.MaxNewTokens && !finished.All(f => f); step++)
            {
                int[] picked;
                using (var scope = NewDisposeScope())
                {
                    var logits = model.Forward(stepInput, attentionMask: stepMask, cache: cache);
                    if (!ReferenceEquals(stepInput, sequence)) stepInput.Dispose();
                    var last = logits.select(1, logits.shape[1] - 1).to_type(ScalarType.Float32);
                    last = LogitsProcessor.ApplyRepetitionPenalty(last, sequence, options.RepetitionPenalty);
                    var next = LogitsProcessor.Pick(last, options, generator);
                    picked = next.data<long>().Select(x => (int)x).ToArray();

                    var nextColumn = tensor(picked.Select((x, row) => finished[row] ? (long)pad : x).ToArray(), [batch, 1]).to(model.Device);
                    var grown = cat([sequence, nextColumn], 1).DetachFromDisposeScope();
                    sequence.Dispose();
                    sequence = grown;
                    if (mask is not null)
                    {
                        var grownMask = cat([mask, ones(batch, 1, ScalarType.Int64, model.Device)], 1).DetachFromDisposeScope();
                        mask.Dispose();
                        mask = grownMask;
                    }
                    stepInput = cache is null ? sequence : nextColumn.DetachFromDisposeScope();
                    stepMask = cache is null ? mask : null;
                }
                var result = new int[batch];
                for (int row = 0; row < batch; row++)
                {
                    result[row] = finished[row] ? -1 : picked[row];
                    if (!finished[row] && stops.Contains(picked[row])) finished[row] = true;
                }
                yield return result;
            }
        }
        finally
        {
            if (!ReferenceEquals(stepInput, sequence)) stepInput.Dispose();
            sequence.Dispose();
            mask?.Dispose();
        }
    }
}
