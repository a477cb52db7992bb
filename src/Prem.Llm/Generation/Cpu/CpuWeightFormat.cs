namespace Prem.Llm.Generation.Cpu;

/// <summary>How the CPU engine holds the weight matrices.</summary>
internal enum CpuWeightFormat
{
    /// <summary>The model's own float32 or bf16 memory, read in place.</summary>
    AsLoaded,

    /// <summary>Int8 with a float32 scale per block of 32 (Q8_0 style), quantised when the engine is built.</summary>
    Int8,

    /// <summary>A bf16 copy (weights rounded ties to even), made when the engine is built: in panels for the native kernel.</summary>
    Bf16,
}
