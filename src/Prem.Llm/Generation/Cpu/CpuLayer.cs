namespace Prem.Llm.Generation.Cpu;

/// <summary>One decoder layer's weights as the CPU engine reads them; norms and biases as float32 copies.</summary>
internal sealed class CpuLayer
{
    public required CpuMatrix Q { get; init; }
    public required CpuMatrix K { get; init; }
    public required CpuMatrix V { get; init; }
    public required CpuMatrix O { get; init; }
    public required CpuMatrix Gate { get; init; }
    public required CpuMatrix Up { get; init; }
    public required CpuMatrix Down { get; init; }
    public required float[] InputNorm { get; init; }
    public required float[] PostAttentionNorm { get; init; }
    public float[]? QBias { get; init; }
    public float[]? KBias { get; init; }
    public float[]? VBias { get; init; }
    public float[]? OBias { get; init; }
    public float[]? GateBias { get; init; }
    public float[]? UpBias { get; init; }
    public float[]? DownBias { get; init; }

    /// <summary>Bytes of the layer's matrices.</summary>
    public long Bytes => Q.Bytes + K.Bytes + V.Bytes + O.Bytes + Gate.Bytes + Up.Bytes + Down.Bytes;
}
