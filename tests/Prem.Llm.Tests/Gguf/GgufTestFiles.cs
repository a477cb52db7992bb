using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

/// <summary>Small GGUF files for the reader tests and the fuzzer's seeds, written with <see cref="GgufWriter"/>.</summary>
internal static class GgufTestFiles
{
    /// <summary>A file with every scalar kind the writer has, three arrays and one tensor of each supported type.</summary>
    public static byte[] Small(uint alignment = 32)
    {
        var w = new GgufWriter(alignment);
        w.AddString("general.architecture", "llama");
        w.AddUInt32("llama.block_count", 2);
        w.AddInt32("test.int", -5);
        w.AddFloat32("test.float", 0.25f);
        w.AddBool("test.bool", true);
        w.AddStringArray("tokenizer.ggml.tokens", ["a", "b", "ü"]);
        w.AddFloat32Array("tokenizer.ggml.scores", [0f, -1f, -2f]);
        w.AddInt32Array("tokenizer.ggml.token_type", [1, 1, 3]);
        w.AddTensor("f32", [3, 2], GgmlType.F32);
        w.AddTensor("f16", [5], GgmlType.F16);
        w.AddTensor("bf16", [2, 2], GgmlType.BF16);
        w.AddTensor("q8", [32, 2], GgmlType.Q8_0);
        using var stream = new MemoryStream();
        w.WriteHeader(stream);
        w.WriteTensor(stream, "f32", sink => sink(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values(6).AsSpan())));
        w.WriteTensor(stream, "f16", sink => sink(Values(5).SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray()));
        w.WriteTensor(stream, "bf16", sink => sink(Values(4).SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray()));
        var q = new byte[68];
        GgmlQ8_0.Quantize(Values(64), q);
        w.WriteTensor(stream, "q8", sink => sink(q));
        return stream.ToArray();
    }

    /// <summary>0.5, -1, 1.5, -2 …: exact in f16 and bf16.</summary>
    public static float[] Values(int n) => [.. Enumerable.Range(0, n).Select(i => (i % 2 == 0 ? 1 : -1) * (i + 1) * 0.5f)];

    /// <summary>Writes <paramref name="bytes"/> to a temp file and returns its path.</summary>
    public static string Save(byte[] bytes, string name = "test.gguf")
    {
        string path = TestData.TempFile(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// A complete tiny <c>llama</c> file (2 layers, d 32, vocab 8, SentencePiece tokenizer, tied head, q8_0 and f32
    /// tensors) written without a model, so the fuzzer's seeds need no LibTorch.
    /// </summary>
    public static byte[] TinyLlama()
    {
        const int d = 32, ff = 64, vocab = 8, layers = 2;
        var w = new GgufWriter();
        w.AddString("general.architecture", "llama");
        w.AddUInt32("llama.context_length", 64);
        w.AddUInt32("llama.embedding_length", d);
        w.AddUInt32("llama.block_count", layers);
        w.AddUInt32("llama.feed_forward_length", ff);
        w.AddUInt32("llama.attention.head_count", 4);
        w.AddUInt32("llama.attention.head_count_kv", 2);
        w.AddFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.AddFloat32("llama.rope.freq_base", 10000);
        w.AddUInt32("llama.rope.dimension_count", 8);
        w.AddString("llama.rope.scaling.type", "linear");
        w.AddFloat32("llama.rope.scaling.factor", 2);
        w.AddString("tokenizer.ggml.model", "llama");
        w.AddStringArray("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>", "▁a", "▁b", "a", "b", "▁"]);
        w.AddFloat32Array("tokenizer.ggml.scores", [0, 0, 0, -1, -2, -3, -4, -5]);
        w.AddInt32Array("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 1, 1, 1]);
        w.AddUInt32("tokenizer.ggml.bos_token_id", 1);
        w.AddUInt32("tokenizer.ggml.eos_token_id", 2);
        w.AddBool("tokenizer.ggml.add_bos_token", true);
        w.AddString("tokenizer.chat_template", "{{ messages }}");
        var tensors = new List<(string Name, long[] Dims, GgmlType Type)> { ("token_embd.weight", [d, vocab], GgmlType.Q8_0), ("output_norm.weight", [d], GgmlType.F32) };
        for (int l = 0; l < layers; l++)
        {
            tensors.Add(($"blk.{l}.attn_norm.weight", [d], GgmlType.F32));
            tensors.Add(($"blk.{l}.ffn_norm.weight", [d], GgmlType.F32));
            tensors.Add(($"blk.{l}.attn_q.weight", [d, d], GgmlType.Q8_0));
            tensors.Add(($"blk.{l}.attn_k.weight", [d, d / 2], GgmlType.F16));
            tensors.Add(($"blk.{l}.attn_v.weight", [d, d / 2], GgmlType.BF16));
            tensors.Add(($"blk.{l}.attn_output.weight", [d, d], GgmlType.Q8_0));
            tensors.Add(($"blk.{l}.ffn_gate.weight", [d, ff], GgmlType.Q8_0));
            tensors.Add(($"blk.{l}.ffn_up.weight", [d, ff], GgmlType.Q8_0));
            tensors.Add(($"blk.{l}.ffn_down.weight", [ff, d], GgmlType.Q8_0));
        }
        var sizes = tensors.Select(t => w.AddTensor(t.Name, t.Dims, t.Type)).ToList();
        using var stream = new MemoryStream();
        w.WriteHeader(stream);
        var random = new Random(1);
        for (int i = 0; i < tensors.Count; i++)
        {
            var bytes = new byte[sizes[i]];
            random.NextBytes(bytes);
            if (tensors[i].Type == GgmlType.Q8_0)
                for (int b = 0; b < bytes.Length; b += 34) { bytes[b] = 0x00; bytes[b + 1] = 0x20; } // scale 2^-7
            else if (tensors[i].Type == GgmlType.F32)
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).Fill(1f);
            w.WriteTensor(stream, tensors[i].Name, sink => sink(bytes));
        }
        return stream.ToArray();
    }
}

