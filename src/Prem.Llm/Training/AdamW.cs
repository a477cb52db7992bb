using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>
/// AdamW with decoupled weight decay (Loshchilov &amp; Hutter), PyTorch's update exactly:
/// p ← p(1 − lr·wd); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε). Written here with in-place ops and one temporary per
/// parameter (TorchSharp's C# AdamW allocates several per parameter per step, which fragments glibc's
/// heap over long runs), with state that saves to and loads from named tensors for checkpoints.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<(string Name, Parameter Param, double WeightDecay)> _entries = [];
    private readonly Dictionary<string, (Tensor M, Tensor V)> _state = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _copies = new(StringComparer.Ordinal);

    /// <summary>Creates the optimizer over named parameter groups.</summary>
    /// <param name="groups">Each group's (name, parameter) pairs and its weight decay.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    public AdamW(IEnumerable<(IEnumerable<(string Name, Parameter Param)> Parameters, double WeightDecay)> groups,
        double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8)
    {
        foreach (var (parameters, wd) in groups)
            foreach (var (name, p) in parameters) _entries.Add((name, p, wd));
        if (_entries.Select(e => e.Name).Distinct().Count() != _entries.Count)
            throw new ArgumentException("Parameter names must be unique across groups.", nameof(groups));
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }
    /// <summary>β₂.</summary>
    public double Beta2 { get; }
    /// <summary>ε.</summary>
    public double Eps { get; }
    /// <summary>Updates taken so far (t).</summary>
    public long StepCount { get; private set; }

    /// <summary>The parameters with their names and weight decay.</summary>
    public IReadOnlyList<(string Name, Parameter Param, double WeightDecay)> Parameters => _entries;

    /// <summary>
    /// After each update, writes the parameter named <c>name</c> rounded to bfloat16 into <c>copy</c>
    /// (mixed precision's working weights), in the same pass over memory as the update where the fused
    /// CPU kernel applies. Copies must have their parameter's shape.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a parameter here, or a copy's shape differs.</exception>
    public void SetBf16Copies(IEnumerable<(string Name, Tensor Copy)> namedCopies)
    {
        ArgumentNullException.ThrowIfNull(namedCopies);
        var byName = _entries.ToDictionary(e => e.Name, e => e.Param, StringComparer.Ordinal);
        _copies.Clear();
        foreach (var (name, copy) in namedCopies)
        {
            if (!byName.TryGetValue(name, out var p)) throw new ArgumentException($"'{name}' is not a parameter of this optimizer.", nameof(namedCopies));
            if (!copy.shape.SequenceEqual(p.shape))
                throw new ArgumentException($"The copy of '{name}' is [{string.Join(", ", copy.shape)}]; the parameter is [{string.Join(", ", p.shape)}].", nameof(namedCopies));
            _copies[name] = copy;
        }
    }

    /// <summary>
    /// One update at learning rate <paramref name="lr"/> with every gradient multiplied by
    /// <paramref name="gradScale"/> as it is read (global-norm clipping without a pass that rescales the
    /// gradients); parameters without a gradient are skipped.
    /// </summary>
    public void Step(double lr, double gradScale = 1.0)
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        using var noGrad = no_grad();
        foreach (var (name, p, wd) in _entries)
        {
            var g = p.grad;
            if (g is null) continue;
            if (!_state.TryGetValue(name, out var s))
            {
                // Optimizer state outlives the step's dispose scope.
                s = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                _state[name] = s;
            }
            var copy = _copies.GetValueOrDefault(name);
            if (FusedAdamWKernel.Applies(p, g, s.M, s.V) && (copy is null || FusedAdamWKernel.CanCopy(p, copy)))
            {
                FusedAdamWKernel.Update(p, g, s.M, s.V, (float)(1 - lr * wd), (float)Beta1, (float)Beta2,
                    (float)(lr * bc2Sqrt / bc1), (float)(Eps * bc2Sqrt), (float)gradScale, copy);
                continue;
            }
            using var scaled = gradScale == 1.0 ? g.alias() : g.mul(gradScale);
            if (wd != 0) p.mul_(1 - lr * wd);
            s.M.lerp_(scaled, 1 - Beta1);
            s.V.mul_(Beta2).addcmul_(scaled, scaled, 1 - Beta2);
            // m / (√v/√bc2 + ε) · lr/bc1 = m / (√v + ε√bc2) · lr√bc2/bc1: one pass fewer over v.
            using var denom = s.V.sqrt().add_(Eps * bc2Sqrt);
            p.addcdiv_(s.M, denom, -lr * bc2Sqrt / bc1);
            copy?.copy_(p);
        }
    }

    /// <summary>Sets every gradient to null, freeing it.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p, _) in _entries)
        {
            p.grad?.Dispose();
            p.grad = null;
        }
    }

    /// <summary>The moment tensors by key (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>), for saving.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        foreach (var (name, _, _) in _entries)
            if (_state.TryGetValue(name, out var s))
            {
                yield return new("exp_avg." + name, s.M);
                yield return new("exp_avg_sq." + name, s.V);
            }
    }

    /// <summary>Restores the step count and moments; <paramref name="read"/> returns a stored tensor or null when absent.</summary>
    public void LoadState(long stepCount, Func<string, Tensor?> read)
    {
        StepCount = stepCount;
        foreach (var s in _state.Values) { s.M.Dispose(); s.V.Dispose(); }
        _state.Clear();
        foreach (var (name, p, _) in _entries)
        {
            var m = read("exp_avg." + name);
            var v = read("exp_avg_sq." + name);
            if (m is null || v is null) continue;
            _state[name] = (m.to(p.dtype, p.device).DetachFromDisposeScope(), v.to(p.dtype, p.device).DetachFromDisposeScope());
        }
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose()
    {
        foreach (var s in _state.Values) { s.M.Dispose(); s.V.Dispose(); }
        _state.Clear();
    }
}
