using Prem.Llm.Gguf;

namespace Prem.Llm.Benchmarks.Gguf;

/// <summary>Shared pieces of the GGUF benchmarks: a 32,000-piece SentencePiece tokenizer folder and the type names.</summary>
internal static class GgufBenchmarkData
{
    /// <summary>The GGUF type of "f32", "f16", "bf16" or "q8_0".</summary>
    public static GgufType TypeOf(string name) => name switch
    {
        "f32" => GgufType.F32,
        "f16" => GgufType.F16,
        "bf16" => GgufType.BF16,
        "q8_0" => GgufType.Q8_0,
        _ => throw new ArgumentException($"Unknown GGUF type {name}.", nameof(name)),
    };

    /// <summary>
    /// A folder with a SentencePiece BPE tokenizer.model of 32,000 pieces (the 110M and 1.1B shapes' vocabulary):
    /// 3 specials, 256 byte pieces, then made-up pieces, written with the GGUF importer's model writer.
    /// </summary>
    public static string TokenizerFolder(string parent)
    {
        string folder = Path.Combine(parent, "tokenizer");
        var w = new GgufWriter();
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 };
        for (int b = 0; b < 256; b++) { tokens.Add($"<0x{b:X2}>"); types.Add(6); }
        for (int i = tokens.Count; i < 32000; i++) { tokens.Add("▁p" + i); types.Add(1); }
        w.AddString("general.architecture", "llama");
        w.AddString("tokenizer.ggml.model", "llama");
        w.AddStringArray("tokenizer.ggml.tokens", tokens);
        w.AddFloat32Array("tokenizer.ggml.scores", [.. tokens.Select((_, i) => -(float)i)]);
        w.AddInt32Array("tokenizer.ggml.token_type", types);
        w.AddUInt32("tokenizer.ggml.bos_token_id", 1);
        w.AddUInt32("tokenizer.ggml.eos_token_id", 2);
        string path = Path.Combine(parent, "tokenizer.gguf");
        using (var s = File.Create(path)) w.WriteHeader(s);
        GgufImporter.WriteTokenizerFolder(path, folder);
        return folder;
    }
}
