namespace Prem.Llm.Cuda.Runtime;

/// <summary>
/// The one exception type of Prem.Llm.Cuda: a failed driver or NVRTC call (with the CUDA error name,
/// e.g. <c>CUDA_ERROR_ILLEGAL_ADDRESS</c>), a kernel that does not compile (with NVRTC's log), or
/// arguments the kernels cannot take (naming the argument and the expected shape).
/// </summary>
internal sealed class CudaException : Exception
{
    /// <summary>Creates the exception with a message and, for API failures, the status code and its name.</summary>
    public CudaException(string message, int status = 0, string? errorName = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        ErrorName = errorName;
    }

    /// <summary>The driver or NVRTC status code; 0 when the error is not an API failure.</summary>
    public int Status { get; }

    /// <summary>The CUDA name of <see cref="Status"/> (e.g. <c>CUDA_ERROR_NO_DEVICE</c>), when known.</summary>
    public string? ErrorName { get; }
}
