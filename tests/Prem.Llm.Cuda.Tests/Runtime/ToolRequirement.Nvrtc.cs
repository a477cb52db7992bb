using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Testing;

internal static partial class ToolRequirement
{
    /// <summary>NVRTC (libnvrtc.so), for the tests that compile the CUDA kernels.</summary>
    public static void Nvrtc() => Require(CudaAvailability.ProbeNvrtc().Error is null ? null : "NVRTC (libnvrtc.so) not found", "build/install-nvrtc.sh");
}
