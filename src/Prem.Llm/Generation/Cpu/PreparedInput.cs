namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// A dispatch's input rows in the form a matrix's kernels read them: rounded to bf16 for
/// <see cref="Bf16Matrix"/> (<see cref="Bf16Activations"/>), quantised to int8 for <see cref="Int8Matrix"/>
/// (<see cref="Q8Activations"/>). <see cref="CpuLlama"/> prepares them once per dispatch; every row chunk
/// of it, and every matrix sharing the input (q, k and v; gate and up), reads the same rows.
/// </summary>
internal abstract class PreparedInput
{
    /// <summary>Columns of each row.</summary>
    public int Cols { get; protected set; }

    /// <summary>Rows (tokens) held.</summary>
    public int Tokens { get; protected set; }
}
