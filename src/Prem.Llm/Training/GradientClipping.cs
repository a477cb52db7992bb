using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Training;

/// <summary>Global-norm gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
internal static class GradientClipping
{
    /// <summary>
    /// The L2 norm of all gradients together (float32), and, when <paramref name="maxNorm"/> is positive
    /// and the norm finite and above it, every gradient scaled by maxNorm / (norm + 1e-6).
    /// </summary>
    /// <returns>The norm before clipping; NaN or ∞ when a gradient is not finite (then nothing is scaled).</returns>
    public static double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        double total = GlobalNorm(grads);
        double coef = Coefficient(total, maxNorm);
        if (coef != 1.0)
        {
            using var noGrad = no_grad();
            foreach (var g in grads) g.mul_(coef);
        }
        return total;
    }

    /// <summary>The L2 norm of <paramref name="gradients"/> together, computed in float32; 0 when there are none.</summary>
    public static double GlobalNorm(IEnumerable<Tensor> gradients)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norms = gradients.Select(g => g.to_type(ScalarType.Float32).norm()).ToArray();
        return norms.Length == 0 ? 0 : stack(norms).norm().item<float>();
    }

    /// <summary>
    /// The factor clipping applies for a global norm of <paramref name="norm"/>: maxNorm / (norm + 1e-6)
    /// when <paramref name="maxNorm"/> is positive and the norm finite and above it, otherwise 1.
    /// </summary>
    public static double Coefficient(double norm, double maxNorm) =>
        maxNorm > 0 && double.IsFinite(norm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
}
