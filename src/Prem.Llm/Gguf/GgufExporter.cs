using System.Runtime.InteropServices;
using Prem.Llm.Checkpoints;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Gguf;

/// <summary>
/// Writes a <see cref="LlamaForCausalLM"/> and its tokenizer as a GGUF v3 file for llama.cpp's <c>llama</c>
/// architecture (and what is built on it: ollama, LM Studio, LLamaSharp), as llama.cpp's
/// <c>convert_hf_to_gguf.py</c> does: its tensor names, q/k rows permuted for its RoPE, dims in ggml order,
/// the <c>llama.*</c> hyper-parameters and the <c>tokenizer.*</c> vocabulary. Norms and other 1-D tensors
/// stay f32; a matrix whose rows are not a multiple of 32 is written f16 when q8_0 was asked for (as
/// llama.cpp's converter falls back). The file is written atomically, one tensor at a time.
/// </summary>
public static class GgufExporter
{
    /// <summary>
    /// Exports <paramref name="model"/> with the tokenizer of <paramref name="tokenizerFolder"/> (an HF folder:
    /// SentencePiece <c>tokenizer.model</c> or byte-level BPE <c>tokenizer.json</c>, plus tokenizer_config.json)
    /// to <paramref name="path"/> in <paramref name="type"/>.
    /// </summary>
    /// <param name="model">The model; any device and dtype.</param>
    /// <param name="tokenizerFolder">The tokenizer folder (usually the model folder).</param>
    /// <param name="path">The .gguf file to write; replaced atomically if it exists.</param>
    /// <param name="type">The weight type.</param>
    /// <param name="name">general.name; the file name without extension when null.</param>
    /// <exception cref="GgufFormatException">The model or tokenizer has something llama.cpp cannot represent (named).</exception>
    public static void Export(LlamaForCausalLM model, string tokenizerFolder, string path, GgufType type, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(tokenizerFolder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var c = model.Config;
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddString("general.name", name ?? Path.GetFileNameWithoutExtension(path));
        writer.AddUInt32("general.file_type", type switch { GgufType.F32 => 0u, GgufType.F16 => 1u, GgufType.Q8_0 => 7u, _ => 32u });
        writer.AddUInt32("general.quantization_version", 2);
        AddHyperParameters(writer, c, path);
        GgufTokenizerMetadata.Add(writer, tokenizerFolder, c.VocabSize);

        float[]? ropeFactors = c.RopeScaling?.RopeType == "llama3" ? Llama3RopeFactors(c) : null;
        if (ropeFactors is not null) writer.AddTensor("rope_freqs.weight", [ropeFactors.Length], GgmlType.F32);
        var plan = new List<(string Hf, string Gguf, Tensor Source, GgmlType Type)>();
        foreach (var (key, tensor) in model.state_dict())
        {
            string? gguf = LlamaGgufNames.ToGguf(key);
            if (gguf is null) continue;
            if (c.TieWordEmbeddings && key == "lm_head.weight") continue;
            var dims = tensor.shape.Reverse().ToArray();
            var t = TensorType(type, dims);
            writer.AddTensor(gguf, dims, t);
            plan.Add((key, gguf, tensor, t));
        }

        AtomicFile.Write(path, stream =>
        {
            writer.WriteHeader(stream);
            if (ropeFactors is not null)
                writer.WriteTensor(stream, "rope_freqs.weight", sink => sink(MemoryMarshal.AsBytes(ropeFactors.AsSpan())));
            foreach (var (hf, gguf, source, t) in plan)
                writer.WriteTensor(stream, gguf, sink => WriteTensor(source, hf, t, c, sink));
        });
    }

    /// <summary>The ggml type of a tensor with ggml <paramref name="dims"/> in a file of <paramref name="type"/>.</summary>
    internal static GgmlType TensorType(GgufType type, IReadOnlyList<long> dims)
    {
        if (dims.Count < 2) return GgmlType.F32;
        return type switch
        {
            GgufType.F32 => GgmlType.F32,
            GgufType.F16 => GgmlType.F16,
            GgufType.BF16 => GgmlType.BF16,
            _ => dims[0] % GgmlQ8_0.BlockSize == 0 ? GgmlType.Q8_0 : GgmlType.F16,
        };
    }

    static void AddHyperParameters(GgufWriter w, LlamaConfig c, string path)
    {
        if (c.SlidingWindow is int window && window < c.MaxPositionEmbeddings)
            throw new GgufFormatException(path, "sliding_window", $"llama.cpp's llama architecture has no sliding window ({window} < {c.MaxPositionEmbeddings} positions).");
        w.AddUInt32("llama.vocab_size", (uint)c.VocabSize);
        w.AddUInt32("llama.context_length", (uint)c.MaxPositionEmbeddings);
        w.AddUInt32("llama.embedding_length", (uint)c.HiddenSize);
        w.AddUInt32("llama.block_count", (uint)c.NumHiddenLayers);
        w.AddUInt32("llama.feed_forward_length", (uint)c.IntermediateSize);
        w.AddUInt32("llama.attention.head_count", (uint)c.NumAttentionHeads);
        w.AddUInt32("llama.attention.head_count_kv", (uint)c.NumKeyValueHeads);
        w.AddUInt32("llama.attention.key_length", (uint)c.HeadDim);
        w.AddUInt32("llama.attention.value_length", (uint)c.HeadDim);
        w.AddFloat32("llama.attention.layer_norm_rms_epsilon", (float)c.RmsNormEps);
        w.AddFloat32("llama.rope.freq_base", (float)c.RopeTheta);
        w.AddUInt32("llama.rope.dimension_count", (uint)c.HeadDim);
        var s = c.RopeScaling;
        switch (s?.RopeType)
        {
            case null or "default":
                break;
            case "llama3":
                // The rope_freqs.weight tensor carries the per-frequency divisors; the length is kept for import.
                w.AddUInt32("llama.rope.scaling.original_context_length", (uint)(s.OriginalMaxPositionEmbeddings ?? 8192));
                break;
            case "linear":
                w.AddString("llama.rope.scaling.type", "linear");
                w.AddFloat32("llama.rope.scaling.factor", (float)s.Factor!.Value);
                break;
            case "yarn":
                w.AddString("llama.rope.scaling.type", "yarn");
                w.AddFloat32("llama.rope.scaling.factor", (float)s.Factor!.Value);
                w.AddUInt32("llama.rope.scaling.original_context_length", (uint)(s.OriginalMaxPositionEmbeddings ?? c.MaxPositionEmbeddings));
                if (s.AttentionFactor is double af) w.AddFloat32("llama.rope.scaling.attn_factor", (float)af);
                if (s.BetaFast is double bf) w.AddFloat32("llama.rope.scaling.yarn_beta_fast", (float)bf);
                if (s.BetaSlow is double bs) w.AddFloat32("llama.rope.scaling.yarn_beta_slow", (float)bs);
                break;
            default:
                throw new GgufFormatException(path, "rope_scaling", $"rope_type '{s.RopeType}' has no llama.cpp form for the llama architecture (exportable: default, linear, yarn, llama3).");
        }
    }

    /// <summary>
    /// Llama-3's per-frequency divisors, as llama.cpp's converter stores them in <c>rope_freqs.weight</c>:
    /// 1 for short wavelengths, the factor for long ones, a smooth blend between.
    /// </summary>
    internal static float[] Llama3RopeFactors(LlamaConfig c)
    {
        var s = c.RopeScaling!;
        double factor = s.Factor ?? 8, low = s.LowFreqFactor ?? 1, high = s.HighFreqFactor ?? 4;
        double original = s.OriginalMaxPositionEmbeddings ?? 8192;
        double lowWavelen = original / low, highWavelen = original / high;
        var result = new float[c.HeadDim / 2];
        for (int i = 0; i < result.Length; i++)
        {
            double freq = 1.0 / Math.Pow(c.RopeTheta, 2.0 * i / c.HeadDim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) result[i] = 1;
            else if (wavelen > lowWavelen) result[i] = (float)factor;
            else
            {
                double smooth = (original / wavelen - low) / (high - low);
                result[i] = (float)(1 / ((1 - smooth) / factor + smooth));
            }
        }
        return result;
    }

    // One tensor: to the CPU, q/k rows permuted, converted to its ggml type, handed to the sink in chunks.
    static void WriteTensor(Tensor source, string hf, GgmlType type, LlamaConfig c, Action<ReadOnlySpan<byte>> sink)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var t = source.detach();
        if (LlamaGgufNames.IsQuery(hf)) t = RopePermutation.ToGguf(t, c.NumAttentionHeads);
        else if (LlamaGgufNames.IsKey(hf)) t = RopePermutation.ToGguf(t, c.NumKeyValueHeads);
        var dtype = type switch { GgmlType.F16 => ScalarType.Float16, GgmlType.BF16 => ScalarType.BFloat16, _ => ScalarType.Float32 };
        t = t.to(dtype, CPU).contiguous();
        long bytes = t.numel() * t.ElementSize;
        if (type != GgmlType.Q8_0)
        {
            TensorBytes.ForEachChunk(t, bytes, (chunk, _) => sink(chunk));
            return;
        }
        // 16 MiB of floats at a time: a whole number of 32-value blocks.
        var buffer = new byte[(1 << 22) / GgmlQ8_0.BlockSize * GgmlQ8_0.BlockBytes];
        TensorBytes.ForEachChunk(t, bytes, (chunk, _) =>
        {
            var values = MemoryMarshal.Cast<byte, float>(chunk);
            int outBytes = values.Length / GgmlQ8_0.BlockSize * GgmlQ8_0.BlockBytes;
            GgmlQ8_0.Quantize(values, buffer.AsSpan(0, outBytes));
            sink(buffer.AsSpan(0, outBytes));
        }, chunkBytes: 1 << 24);
    }
}
