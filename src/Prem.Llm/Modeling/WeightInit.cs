using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Prem.Llm.Modeling;

/// <summary>
/// Creates the model's linear layers and token embedding. TorchSharp draws their weights (Kaiming
/// uniform, normal), which costs seconds for a 1B model whose weights a checkpoint then overwrites; inside
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

    /// <summary>A token embedding [count, dim], initialised (normal(0, 1), LibTorch's) unless inside <see cref="Skip"/>.</summary>
    public static Embedding Embedding(long count, long dim, Device? device, ScalarType? dtype)
    {
        if (!Skipping) return nn.Embedding(count, dim, device: device, dtype: dtype);
        // TorchSharp's Embedding is LibTorch's module, which draws its table in its constructor (in float32:
        // 1 GB for a 128k vocabulary). Build a one-row table instead and resize its weight in place to
        // uninitialised storage: set_ keeps the one tensor that the module, its registered parameter and
        // TorchSharp's Parameter share, so all three see the new shape (the forward never reads the row count).
        var embedding = nn.Embedding(1, dim, device: device, dtype: dtype);
        using var weight = embedding.weight!;
        using var storage = empty([count, dim], weight.dtype, weight.device);
        using (no_grad()) weight.set_(storage);
        return embedding;
    }

    /// <summary>Ends a <see cref="Skip"/>.</summary>
    public readonly struct SkipScope : IDisposable
    {
        /// <summary>Leaves the scope.</summary>
        public void Dispose() => _skipDepth--;
    }
}
