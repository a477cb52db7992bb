using Prem.Llm.Attention;
using Prem.Llm.Cuda.Attention;

namespace Prem.Llm.Cuda.Reference;

/// <summary>
/// <see cref="FlashAttentionBackend"/> on the C# CPU reference of the kernels instead of the GPU: the same
/// problem planning (fixed-length or one sequence per packed document), forward and backward, on CPU
/// tensors — for checking a configuration on a machine without a GPU (<c>attention: flash_reference</c>).
/// Slow: not for training.
/// </summary>
public static class ReferenceFlashAttention
{
    /// <summary>Creates the backend.</summary>
    /// <param name="fallback">Backend for masks the kernels cannot express (key padding, KV-cache offsets); null to throw instead.</param>
    public static FlashAttentionBackend Create(IAttentionBackend? fallback = null) => new(new ReferenceFlashAttentionExecutor(), fallback);
}
