namespace Prem.Llm.Generation;

/// <summary>How <see cref="TextGenerator"/>'s CPU engine holds the weight matrices.</summary>
public enum CpuWeights
{
    /// <summary>As loaded: the model's float32 or bfloat16 weights, read in place (no copy).</summary>
    AsLoaded,

    /// <summary>
    /// Weight-only int8 (symmetric, one scale per block of 32, like llama.cpp's Q8_0), quantised once when
    /// the generator first runs; each matrix input is quantised per token the same way, and the products run
    /// in integer arithmetic (llama.cpp's Q8_0 × Q8_0 dot). On CPUs without AVX-512, prompts of 16 tokens or more
    /// multiply float32 inputs by the weights dequantised one matrix at a time, through LibTorch's float32 GEMM
    /// (faster there; llama.cpp's BLAS builds do the same). About a quarter of the float32 bytes per token.
    /// </summary>
    Int8,

    /// <summary>
    /// A bfloat16 copy (the weights rounded ties to even; for a bf16 model the same values), made once when the
    /// generator first runs, in the layout of the batched AVX512-BF16 kernel where the CPU has it: batched
    /// decoding faster than <see cref="AsLoaded"/> bf16 (prompts slower there: no LibTorch bf16 GEMM), at the cost of a second copy of the weights
    /// (the model's own stay as they are; changes to them after the first run are not seen). Half the float32 bytes per token.
    /// </summary>
    Bf16,
}
