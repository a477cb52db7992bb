namespace Prem.Llm.Data;

/// <summary>Element type of a token shard on disk (little-endian, no header).</summary>
public enum TokenDType
{
    /// <summary>2 bytes per token; used when every id fits, i.e. the vocabulary has at most 65,536 ids.</summary>
    UInt16,

    /// <summary>4 bytes per token; used for larger vocabularies (e.g. Llama-3's 128,256).</summary>
    UInt32,
}
