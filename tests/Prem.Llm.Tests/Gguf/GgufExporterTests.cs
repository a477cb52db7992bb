using Prem.Llm.Gguf;
using Prem.Llm.Modeling;
using Prem.Llm.Tests.Text;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgufExporterTests
{
    static LlamaForCausalLM Tiny(RopeScaling? scaling = null, int? slidingWindow = null) => new(new LlamaConfig
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 1, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 8,
        VocabSize = 512, MaxPositionEmbeddings = 128, RopeScaling = scaling, SlidingWindow = slidingWindow,
        ModelType = slidingWindow is null ? "llama" : "mistral", TieWordEmbeddings = true,
    });

    [Fact]
    public void WritesLlamaMetadata()
    {
        using var model = Tiny(new RopeScaling { RopeType = "linear", Factor = 2 });
        string path = TestData.TempFile("m.gguf");
        GgufExporter.Export(model, TestData.Path("stories260K"), path, GgufType.BF16, name: "tiny");
        using var f = GgufFile.Open(path);
        Assert.Equal("tiny", GgufMetadata.String(f, "general.name"));
        Assert.Equal(32, GgufMetadata.Int(f, "general.file_type"));
        Assert.Equal(32, GgufMetadata.Int(f, "llama.embedding_length"));
        Assert.Equal(2, GgufMetadata.Int(f, "llama.attention.head_count_kv"));
        Assert.Equal(8, GgufMetadata.Int(f, "llama.rope.dimension_count"));
        Assert.Equal("linear", GgufMetadata.String(f, "llama.rope.scaling.type"));
        Assert.Equal("llama", GgufMetadata.String(f, "tokenizer.ggml.model"));
        Assert.Equal(512, GgufMetadata.Array<string>(f, "tokenizer.ggml.tokens", GgufValueType.String).Length);
        Assert.Equal(GgmlType.BF16, f.Find("blk.0.attn_q.weight")!.Type);
        Assert.Equal([32L, 32], f.Find("blk.0.attn_q.weight")!.Dims);
        Assert.Equal([32L, 16], f.Find("blk.0.attn_k.weight")!.Dims);
    }

    [Fact]
    public void WhatLlamaCppCannotRepresent_IsRefusedNamingIt()
    {
        string path = TestData.TempFile("m.gguf");
        using (var dynamic = Tiny(new RopeScaling { RopeType = "dynamic", Factor = 2 }))
            Assert.Contains("dynamic", Assert.Throws<GgufFormatException>(() => GgufExporter.Export(dynamic, TestData.Path("stories260K"), path, GgufType.F32)).Message);
        using (var mistral = Tiny(slidingWindow: 16))
            Assert.Equal("sliding_window", Assert.Throws<GgufFormatException>(() => GgufExporter.Export(mistral, TestData.Path("stories260K"), path, GgufType.F32)).Field);
        // A SentencePiece-style tokenizer.json (byte_fallback) has no gpt2 form.
        using (var model = Tiny())
            Assert.Contains("byte_fallback", Assert.Throws<GgufFormatException>(() => GgufExporter.Export(model, HfTestData.Folder("lenml-llama2"), path, GgufType.F32)).Message);
        Assert.False(File.Exists(path));
    }
}
