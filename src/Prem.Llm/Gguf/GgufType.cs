namespace Prem.Llm.Gguf;

/// <summary>The weight type of an exported GGUF file (llama.cpp's <c>--outtype</c>).</summary>
public enum GgufType
{
    /// <summary>32-bit floats (<c>ALL_F32</c>).</summary>
    F32,

    /// <summary>IEEE half precision for matrices, f32 for norms (<c>MOSTLY_F16</c>).</summary>
    F16,

    /// <summary>bfloat16 for matrices, f32 for norms (<c>MOSTLY_BF16</c>).</summary>
    BF16,

    /// <summary>ggml's Q8_0 for matrices (blocks of 32 int8 with an fp16 scale), f32 for norms (<c>MOSTLY_Q8_0</c>).</summary>
    Q8_0,
}
