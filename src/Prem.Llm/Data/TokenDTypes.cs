namespace Prem.Llm.Data;

/// <summary>Helpers for <see cref="TokenDType"/>.</summary>
internal static class TokenDTypes
{
    /// <summary>The smallest type that holds every id of a vocabulary of <paramref name="vocabSize"/> ids.</summary>
    public static TokenDType ForVocabulary(int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        return vocabSize <= 65536 ? TokenDType.UInt16 : TokenDType.UInt32;
    }

    /// <summary>Bytes per token.</summary>
    public static int Size(this TokenDType dtype) => dtype == TokenDType.UInt16 ? 2 : 4;

    /// <summary>The manifest spelling: "uint16" or "uint32".</summary>
    public static string Name(this TokenDType dtype) => dtype == TokenDType.UInt16 ? "uint16" : "uint32";

    /// <summary>Parses the manifest spelling.</summary>
    /// <exception cref="DataFormatException">The name is neither "uint16" nor "uint32".</exception>
    public static TokenDType Parse(string name, string? filePath = null) => name switch
    {
        "uint16" => TokenDType.UInt16,
        "uint32" => TokenDType.UInt32,
        _ => throw new DataFormatException($"unknown dtype '{name}' (expected uint16 or uint32)", filePath),
    };
}
