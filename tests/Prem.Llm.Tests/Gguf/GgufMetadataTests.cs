using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgufMetadataTests
{
    [Fact]
    public void TypedReads_CheckTypesAndNameTheKey()
    {
        using var f = GgufFile.Open(GgufTestFiles.Save(GgufTestFiles.Small()));
        Assert.Equal(2, GgufMetadata.Int(f, "llama.block_count"));
        Assert.Equal(0.25, GgufMetadata.Float(f, "test.float"));
        Assert.Equal(7.5, GgufMetadata.Float(f, "missing", 7.5));
        Assert.True(GgufMetadata.OptionalBool(f, "test.bool"));
        Assert.Null(GgufMetadata.OptionalBool(f, "missing"));
        Assert.Equal(["a", "b", "ü"], GgufMetadata.Array<string>(f, "tokenizer.ggml.tokens", GgufValueType.String));
        Assert.Equal("test.int", Assert.Throws<GgufFormatException>(() => GgufMetadata.Int(f, "test.int")).Field); // -5
        Assert.Contains("expected a string", Assert.Throws<GgufFormatException>(() => GgufMetadata.String(f, "test.int")).Message);
        Assert.Contains("missing", Assert.Throws<GgufFormatException>(() => GgufMetadata.Int(f, "llama.context_length")).Message);
        Assert.Contains("array of Int32", Assert.Throws<GgufFormatException>(() => GgufMetadata.Array<uint>(f, "tokenizer.ggml.token_type", GgufValueType.UInt32)).Message);
        Assert.Contains("outside the vocabulary", Assert.Throws<GgufFormatException>(() => GgufMetadata.OptionalTokenId(f, "llama.block_count", 2)).Message);
    }
}
