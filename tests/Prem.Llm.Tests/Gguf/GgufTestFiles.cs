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
}
