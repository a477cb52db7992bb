using Prem.Llm.Native;
using TorchSharp;

namespace Prem.Llm.Training;

/// <summary>Numeric precision and activation memory, with the Prem-1B recipe's bf16-mixed as default.</summary>
public sealed record PrecisionOptions
{
    /// <summary>Numeric precision (precision: bf16-mixed).</summary>
    public TrainingPrecision Mode { get; init; } = TrainingPrecision.Bf16Mixed;
    /// <summary>Recompute decoder layers in the backward instead of keeping their activations.</summary>
    public bool ActivationCheckpointing { get; init; }

    /// <summary>
    /// Whether <paramref name="device"/> multiplies bf16 in hardware, so that <see cref="TrainingPrecision.Bf16Mixed"/>
    /// saves time as well as memory: CUDA devices, and CPUs with AVX512-BF16 (Zen 4, Sapphire Rapids and later).
    /// Elsewhere LibTorch emulates bf16 products and <see cref="TrainingPrecision.Float32"/> is much faster: a
    /// bf16-mixed step of a 3-layer model took 68 s against 7 s in float32 on a 2-core Zen 3 (AVX2).
    /// </summary>
    public static bool HasNativeBf16(torch.Device device) =>
        device.type == DeviceType.CUDA || (device.type == DeviceType.CPU && NativeCpuKernels.Bf16.CpuSupported);
}
