using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>Global-norm gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// The L2 norm of all gradients together (float32), and, when <paramref name="maxNorm"/> is positive
    /// and the norm finite and above it, every gradient scaled by maxNorm / (norm + 1e-6).
    /// </summary>
    /// <returns>The norm before clipping; NaN or ∞ when a gradient is not finite (then nothing is scaled).</returns>
    public static double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return 0;
        var norms = grads.Select(g => g.to_type(ScalarType.Float32).norm()).ToArray();
        double total = stack(norms).norm().item<float>();
        if (maxNorm > 0 && double.IsFinite(total) && total > maxNorm)
        {
            double coef = maxNorm / (total + 1e-6);
            foreach (var g in grads) g.mul_(coef);
        }
        return total;
    }
}
