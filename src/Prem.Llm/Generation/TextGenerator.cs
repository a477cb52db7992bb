using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Generation;

/// <summary>
/// Autoregressive decoding for a <see cref="LlamaForCausalLM"/>: one or many prompts, greedy or
/// sampled, with or without the KV cache, whole or streamed.
/// </summary>
/// <remarks>
/// On the CPU, a model with float32 or bfloat16 weights and a built-in attention backend decodes on a
/// dedicated engine (fused kernels on a fixed thread pool, one pass over the weights per token, the
/// model's weight memory read in place); its float32 logits equal the TorchSharp forward's within 1e-4.
/// Other models (GPU, float16, custom attention) and <see cref="SamplingOptions.UseCache"/> = false
/// run the TorchSharp forward, left-padding prompts of different lengths into one batch.
/// </remarks>
public sealed class TextGenerator(LlamaForCausalLM model)
{
    CpuLlama? _engine;
    CpuKvCache? _cache;
    int _engineBusy;

    /// <summary>Use the CPU engine where it applies (default true); false always runs the TorchSharp forward.</summary>
    public bool UseCpuEngine { get; init; } = true;

    /// <summary>
    /// How the CPU engine holds the weights; <see cref="Generation.CpuWeights.Int8"/> quantises them and
    /// <see cref="Generation.CpuWeights.Bf16"/> rounds them to bf16 on first use (the model's own weights are
    /// untouched). Both need a model the CPU engine can run.
    /// </summary>
    public CpuWeights CpuWeights { get; init; }

    /// <summary>Timings of the latest generation that finished or stopped, or null before the first.</summary>
    public GenerationStats? LastStats { get; private set; }

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

        bool copy = CpuWeights != CpuWeights.AsLoaded;
        bool cpu = UseCpuEngine && (options.UseCache || copy) && CpuLlama.Unsupported(model) is null;
        if (!cpu && copy)
            throw new NotSupportedException($"CpuWeights.{CpuWeights} needs the CPU engine: {(UseCpuEngine ? CpuLlama.Unsupported(model) : "UseCpuEngine is false.")}");
        var steps = cpu ? CpuSteps(prompts, options) : TorchSteps(prompts, options);
        foreach (var step in steps) yield return step;
    }

    /// <summary>The TorchSharp forward: prompts left-padded into one batch, the model's own KV cache.</summary>
    IEnumerable<int[]> TorchSteps(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options)
    {
        var timer = new GenerationTimer("torchsharp", prompts.Sum(p => p.Count));
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
                timer.Yielding(result.Count(x => x >= 0));
                yield return result;
                timer.Resumed();
            }
        }
        finally
        {
            if (!ReferenceEquals(stepInput, sequence)) stepInput.Dispose();
            sequence.Dispose();
            mask?.Dispose();
            LastStats = timer.Stats();
        }
    }

    /// <summary>
    /// The CPU engine: each prompt has its own cache slot (no padding), is prefilled in chunks, then every
    /// row advances one token per step. Picks follow the TorchSharp path: repetition penalty on the seen
    /// ids, argmax (lowest id on a tie) or <see cref="LogitsProcessor.Pick"/> with the seeded generator.
    /// </summary>
    IEnumerable<int[]> CpuSteps(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options)
    {
        bool owned = Interlocked.CompareExchange(ref _engineBusy, 1, 0) == 0;
        try
        {
            // A second generation running at the same time gets an engine and cache of its own.
            var engine = owned ? (_engine ??= NewEngine()) : NewEngine();
            if (owned) engine.Refresh();
            var timer = new GenerationTimer("cpu-" + engine.FormatName, prompts.Sum(p => p.Count), engine.KernelsName);
            int batch = prompts.Count, vocab = model.Config.VocabSize;
            int capacity = prompts.Max(p => p.Count) + Math.Max(options.MaxNewTokens, 1);
            var cache = owned && _cache is { } c && c.Slots >= batch && c.Capacity >= capacity ? c : engine.CreateCache(batch, capacity);
            if (owned) _cache = cache;

            var logits = new float[batch * vocab];
            var seen = options.RepetitionPenalty != 1.0 ? new SeenTokens(batch, vocab) : null;
            for (int row = 0; row < batch; row++)
            {
                var prompt = prompts[row] as int[] ?? prompts[row].ToArray();
                engine.Prefill(prompt, row, 0, cache, logits.AsSpan(row * vocab, vocab));
                seen?.AddRange(row, prompt);
            }
            var stops = options.StopTokenIds.ToHashSet();
            var finished = new bool[batch];
            var tokens = new int[batch];
            var slots = Enumerable.Range(0, batch).ToArray();
            var positions = prompts.Select(p => p.Count).ToArray();
            using var generator = options.Temperature == 0 ? null : new torch.Generator((ulong)options.Seed);
            for (int step = 0; step < options.MaxNewTokens; step++)
            {
                seen?.Penalize(logits, options.RepetitionPenalty);
                Pick(logits, batch, vocab, options, generator, tokens);
                var result = new int[batch];
                int produced = 0;
                for (int row = 0; row < batch; row++)
                {
                    result[row] = finished[row] ? -1 : tokens[row];
                    if (finished[row]) continue;
                    produced++;
                    seen?.Add(row, tokens[row]);
                    if (stops.Contains(tokens[row])) finished[row] = true;
                }
                timer.Yielding(produced);
                LastStats = timer.Stats();
                yield return result;
                timer.Resumed();
                if (step + 1 == options.MaxNewTokens || Array.TrueForAll(finished, f => f)) break;
                engine.Step(tokens, slots, positions, cache, logits);
                for (int row = 0; row < batch; row++) positions[row]++;
            }
            LastStats = timer.Stats();
        }
        finally
        {
            if (owned) Volatile.Write(ref _engineBusy, 0);
        }
    }

    CpuLlama NewEngine() => new(model, EngineFormat(CpuWeights));

    /// <summary>The CPU engine's format for <paramref name="weights"/> (also the batcher's).</summary>
    internal static CpuWeightFormat EngineFormat(CpuWeights weights) => weights switch
    {
        CpuWeights.Int8 => CpuWeightFormat.Int8,
        CpuWeights.Bf16 => CpuWeightFormat.Bf16,
        _ => CpuWeightFormat.AsLoaded,
    };

    static void Pick(float[] logits, int batch, int vocab, SamplingOptions options, torch.Generator? generator, int[] picked)
    {
        if (options.Temperature == 0)
        {
            for (int row = 0; row < batch; row++) picked[row] = TensorPrimitives.IndexOfMax(logits.AsSpan(row * vocab, vocab));
            return;
        }
        using var scope = NewDisposeScope();
        var next = LogitsProcessor.Pick(tensor(logits, [batch, vocab]), options, generator).data<long>();
        for (int row = 0; row < batch; row++) picked[row] = (int)next[row];
    }
}
