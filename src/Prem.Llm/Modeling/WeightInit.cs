using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Creates the model's linear layers. TorchSharp's <c>nn.Linear</c> draws its weights (Kaiming
/// uniform), which costs seconds for a 1B model whose weights a checkpoint then overwrites; inside
/// <see cref="Skip"/> the layers get uninitialised storage instead, as transformers'
/// <c>no_init_weights</c> does. A scope of this thread only, so other threads building models are unaffected.
/// </summary>
internal static class WeightInit
{
    [ThreadStatic] private static int _skipDepth;

    /// <summary>True inside <see cref="Skip"/> on this thread.</summary>
    public static bool Skipping => _skipDepth > 0;

    /// <summary>Until disposed, layers built on this thread are left uninitialised.</summary>
    public static SkipScope Skip()
    {
        _skipDepth++;
        return new SkipScope();
    }

    /// <summary>A linear layer [outputSize, inputSize] (plus bias), initialised unless inside <see cref="Skip"/>.</summary>
    public static Linear Linear(long inputSize, long outputSize, bool hasBias, Device? device, ScalarType? dtype)
    {
        if (!Skipping) return nn.Linear(inputSize, outputSize, hasBias, device, dtype);
        var weight = new Parameter(empty([outputSize, inputSize], dtype, device));
        var bias = hasBias ? new Parameter(empty([outputSize], dtype, device)) : null;
        return nn.Linear(weight, bias);
    }

    /// <summary>Ends a <see cref="Skip"/>.</summary>
    public readonly struct SkipScope : IDisposable
    {
        /// <summary>Leaves the scope.</summary>
        public void Dispose() => _skipDepth--;
    }
}
