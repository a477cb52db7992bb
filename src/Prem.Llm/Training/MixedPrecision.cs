using Prem.Llm.Adapters;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// Autocast built by hand (TorchSharp has none): for <see cref="TrainingPrecision.Bf16Mixed"/> a
/// bfloat16 working copy of the float32 master model runs forward and backward; after each
/// micro-batch its gradients are added into float32 master gradients (so accumulation is float32),
/// and each optimizer step writes the updated master weights back, rounded to bf16
/// (<see cref="AttachOptimizer"/>). For the other precisions the working model is the master model itself.
/// </summary>
internal sealed class MixedPrecision : IDisposable
{
    private readonly List<(string Name, Tensor Master, Tensor Work)> _pairs = [];
    // Float32 gradient buffers kept across steps: a fresh 32 MB buffer per step for the embedding and
    // the head comes from mmap, and its page faults cost as much as the conversion itself.
    private readonly Dictionary<string, Tensor> _masterGrads = new(StringComparer.Ordinal);

    /// <summary>Prepares <paramref name="master"/> for <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentException">The master's dtype does not fit the precision (float32 for
    /// Float32 and Bf16Mixed, bfloat16 for Bf16).</exception>
    public MixedPrecision(LlamaForCausalLM master, TrainingPrecision precision)
    {
        Master = master ?? throw new ArgumentNullException(nameof(master));
        Precision = precision;
        var want = precision == TrainingPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        if (master.Dtype != want)
            throw new ArgumentException($"Precision {precision} needs a {want} model; this one is {master.Dtype}. Load or convert it first.", nameof(master));
        if (precision != TrainingPrecision.Bf16Mixed)
        {
            Working = master;
            return;
        }
        Working = new LlamaForCausalLM(master.Config, master.AttentionBackend, ScalarType.BFloat16, master.Device);
        // LoRA: the working copy gets the same adapters (bf16, frozen base, one shared on/off switch); the
        // pairs below then carry the adapters' values and gradients like any other parameter.
        LoraModel.Of(master)?.Replicate(Working, ScalarType.BFloat16);
        var work = Working.named_parameters().ToDictionary(kv => kv.name, kv => (Tensor)kv.parameter, StringComparer.Ordinal);
        foreach (var (name, p) in master.named_parameters())
            _pairs.Add((name, p, work[name]));
        PushWeights();
    }

    /// <summary>The precision.</summary>
    public TrainingPrecision Precision { get; }

    /// <summary>The model the optimizer updates (float32 unless pure bf16).</summary>
    public LlamaForCausalLM Master { get; }

    /// <summary>The model forward and backward run on.</summary>
    public LlamaForCausalLM Working { get; }

    /// <summary>Adds the working gradients into the master gradients (float32) and clears them.</summary>
    public void PullGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, master, work) in _pairs)
        {
            var g = work.grad;
            if (g is null) continue;
            if (master.grad is null)
            {
                if (!_masterGrads.TryGetValue(name, out var buffer))
                    _masterGrads[name] = buffer = empty_like(master).DetachFromDisposeScope();
                buffer.copy_(g);
                master.grad = buffer;
            }
            else master.grad.add_(g);
            work.grad = null;
        }
    }

    /// <summary>Copies the master weights into the working model.</summary>
    public void PushWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, master, work) in _pairs) work.copy_(master);
    }

    /// <summary>
    /// Has <paramref name="optimizer"/> write the bf16 working weights of the parameters it updates in
    /// the same pass as the update, so no <see cref="PushWeights"/> is needed after a step (only after
    /// weights change outside the optimizer: loading, resuming). Nothing to do unless bf16-mixed.
    /// </summary>
    public void AttachOptimizer(AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (_pairs.Count == 0) return;
        var updated = optimizer.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        optimizer.SetBf16Copies(_pairs.Where(p => updated.Contains(p.Name)).Select(p => (p.Name, p.Work)));
    }

    /// <summary>Frees the working copy (not the master).</summary>
    public void Dispose()
    {
        if (!ReferenceEquals(Working, Master))
        {
            LoraModel.Of(Working)?.Dispose();
            Working.Dispose();
        }
        foreach (var buffer in _masterGrads.Values) buffer.Dispose();
        _masterGrads.Clear();
    }
}
