using System.Security.Cryptography;
using System.Text;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>
/// The CUDA sources embedded in this assembly. The flash-attention program is three files compiled as
/// one translation unit (NVRTC gets no include path): common helpers, the forward and the backward.
/// </summary>
internal static class KernelSource
{
    /// <summary>The embedded files of the flash-attention program, in compile order.</summary>
    public static IReadOnlyList<string> FlashAttentionFiles { get; } = ["flash_common.cu", "flash_forward.cu", "flash_backward.cu"];

    static readonly Lazy<string> _flashAttentionText = new(() => string.Concat(FlashAttentionFiles.Select(f => Read(f) + "\n")));

    /// <summary>The whole flash-attention program as one source text.</summary>
    public static string FlashAttention => _flashAttentionText.Value;

    /// <summary>Reads one embedded kernel file by name (e.g. "flash_forward.cu").</summary>
    public static string Read(string fileName)
    {
        var resource = "Prem.Llm.Cuda.Kernels." + fileName;
        using var stream = typeof(KernelSource).Assembly.GetManifestResourceStream(resource)
            ?? throw new CudaException($"Kernel source '{fileName}' is not embedded in {typeof(KernelSource).Assembly.GetName().Name} (resource {resource}).");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Lower-case hex SHA-256 of a text, used as the compile-cache key.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
