using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Gguf;

/// <summary>
/// Reads a GGUF file of llama.cpp's <c>llama</c> architecture (f32, f16, bf16 or q8_0 tensors, dequantised)
/// into a <see cref="LlamaForCausalLM"/> and an HF tokenizer folder, undoing the export's q/k permutation, so a
/// model found as GGUF can be fine-tuned or run here. Other quantisation types are refused naming them.
/// </summary>
public static class GgufImporter
{
    /// <summary>Reads the model of <paramref name="path"/> with weights in <paramref name="dtype"/> (float32 when null).</summary>
    /// <exception cref="GgufFormatException">The file is malformed or holds something this library cannot read (named).</exception>
    public static LlamaForCausalLM Load(string path, ScalarType? dtype = null)
    {
        using var file = GgufFile.Open(path);
        return Load(file, dtype);
    }

    /// <summary>Writes the tokenizer of <paramref name="path"/> as an HF tokenizer folder (tokenizer.model or tokenizer.json, tokenizer_config.json).</summary>
    public static void WriteTokenizerFolder(string path, string folder)
    {
        using var file = GgufFile.Open(path);
        GgufTokenizerFolder.Write(file, folder);
    }

    /// <summary>
    /// Converts <paramref name="path"/> to an HF model folder: config.json, model.safetensors (float32) and the
    /// tokenizer files, which <see cref="LlamaForCausalLM.FromPretrained"/> and the tokenizer loader read.
    /// </summary>
    public static void ToHfFolder(string path, string folder)
    {
        using var file = GgufFile.Open(path);
        using var model = Load(file, ScalarType.Float32);
        GgufTokenizerFolder.Write(file, folder);
        model.SavePretrained(folder);
    }

    internal static LlamaForCausalLM Load(GgufFile file, ScalarType? dtype)
    {
        var config = ReadConfig(file);
        var model = LlamaForCausalLM.CreateForLoading(config, dtype ?? ScalarType.Float32);
        try
        {
            var expected = new HashSet<string>(StringComparer.Ordinal);
            using var noGrad = no_grad();
            foreach (var (key, parameter) in model.state_dict())
            {
                string? name = LlamaGgufNames.ToGguf(key);
                if (name is null || (config.TieWordEmbeddings && key == "lm_head.weight")) continue;
                expected.Add(name);
                var info = file.Find(name) ?? throw new GgufFormatException(file.Path, name, "the tensor is missing.");
                var shape = parameter.shape;
                if (!info.TorchShape.SequenceEqual(shape))
                    throw new GgufFormatException(file.Path, name, $"shape [{string.Join(", ", info.TorchShape)}] differs from the config's [{string.Join(", ", shape)}].");
                using var scope = NewDisposeScope();
                var t = tensor(file.ReadFloats(info)).reshape(shape);
                if (LlamaGgufNames.IsQuery(key)) t = RopePermutation.ToHf(t, config.NumAttentionHeads);
                else if (LlamaGgufNames.IsKey(key)) t = RopePermutation.ToHf(t, config.NumKeyValueHeads);
                parameter.copy_(t);
            }
            var extra = file.Tensors.Select(t => t.Name).Where(n => !expected.Contains(n) && n != "rope_freqs.weight").ToList();
            if (extra.Count > 0)
                throw new GgufFormatException(file.Path, extra[0], $"{extra.Count} tensor(s) this model has no place for: {string.Join(", ", extra.Take(5).Select(GgufFormatException.Shorten))}.");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The <see cref="LlamaConfig"/> of a <c>llama</c> GGUF file.</summary>
    internal static LlamaConfig ReadConfig(GgufFile file)
    {
        string arch = GgufMetadata.String(file, "general.architecture");
        if (arch != "llama")
            throw new GgufFormatException(file.Path, "general.architecture", $"architecture '{GgufFormatException.Shorten(arch)}' cannot be imported (supported: llama).");
        var embed = file.Find("token_embd.weight") ?? throw new GgufFormatException(file.Path, "token_embd.weight", "the tensor is missing.");
        if (embed.Dims.Length != 2) throw new GgufFormatException(file.Path, "token_embd.weight", $"{embed.Dims.Length} dims; expected 2.");
        int hidden = GgufMetadata.Int(file, "llama.embedding_length");
        int heads = GgufMetadata.Int(file, "llama.attention.head_count");
        if (heads == 0) throw new GgufFormatException(file.Path, "llama.attention.head_count", "0 heads.");
        int headDim = GgufMetadata.Int(file, "llama.attention.key_length", hidden / heads);
        int valueDim = GgufMetadata.Int(file, "llama.attention.value_length", headDim);
        if (valueDim != headDim) throw new GgufFormatException(file.Path, "llama.attention.value_length", $"{valueDim} differs from key_length {headDim}; Llama uses one head size.");
        int ropeDims = GgufMetadata.Int(file, "llama.rope.dimension_count", headDim);
        if (ropeDims != headDim) throw new GgufFormatException(file.Path, "llama.rope.dimension_count", $"partial RoPE ({ropeDims} of {headDim} dims) is not supported.");
        if (embed.Dims[1] > int.MaxValue) throw new GgufFormatException(file.Path, "token_embd.weight", "vocabulary too large.");
        int vocab = (int)embed.Dims[1];
        int? TokenId(string key) => GgufMetadata.OptionalTokenId(file, key, vocab);
        int? bos = TokenId("tokenizer.ggml.bos_token_id"), eos = TokenId("tokenizer.ggml.eos_token_id");
        var config = new LlamaConfig
        {
            HiddenSize = hidden,
            IntermediateSize = GgufMetadata.Int(file, "llama.feed_forward_length"),
            NumHiddenLayers = GgufMetadata.Int(file, "llama.block_count"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = GgufMetadata.Int(file, "llama.attention.head_count_kv", heads),
            HeadDim = headDim,
            VocabSize = vocab,
            MaxPositionEmbeddings = GgufMetadata.Int(file, "llama.context_length"),
            RmsNormEps = GgufMetadata.Float(file, "llama.attention.layer_norm_rms_epsilon"),
            RopeTheta = GgufMetadata.Float(file, "llama.rope.freq_base", 10000),
            RopeScaling = ReadRopeScaling(file, headDim),
            TieWordEmbeddings = file.Find("output.weight") is null,
            AttentionBias = file.Find("blk.0.attn_q.bias") is not null,
            MlpBias = file.Find("blk.0.ffn_gate.bias") is not null,
            BosTokenId = bos,
            EosTokenIds = eos is int e ? [e] : [],
            PadTokenId = TokenId("tokenizer.ggml.padding_token_id"),
            TorchDtype = "float32",
        };
        try
        {
            return config.Validate(file.Path);
        }
        catch (LlamaConfigException ex)
        {
            throw new GgufFormatException(file.Path, ex.Field, ex.Message, ex);
        }
    }

    static RopeScaling? ReadRopeScaling(GgufFile file, int headDim)
    {
        string type = file.Metadata.ContainsKey("llama.rope.scaling.type") ? GgufMetadata.String(file, "llama.rope.scaling.type") : "none";
        var freqs = file.Find("rope_freqs.weight");
        if (freqs is not null) return FitLlama3(file, freqs, headDim);
        double? Optional(string key) => file.Metadata.ContainsKey(key) ? GgufMetadata.Float(file, key) : null;
        return type switch
        {
            "none" => null,
            "linear" => new RopeScaling { RopeType = "linear", Factor = GgufMetadata.Float(file, "llama.rope.scaling.factor") },
            "yarn" => new RopeScaling
            {
                RopeType = "yarn",
                Factor = GgufMetadata.Float(file, "llama.rope.scaling.factor"),
                OriginalMaxPositionEmbeddings = GgufMetadata.Int(file, "llama.rope.scaling.original_context_length"),
                AttentionFactor = Optional("llama.rope.scaling.attn_factor"),
                BetaFast = Optional("llama.rope.scaling.yarn_beta_fast"),
                BetaSlow = Optional("llama.rope.scaling.yarn_beta_slow"),
            },
            _ => throw new GgufFormatException(file.Path, "llama.rope.scaling.type", $"'{GgufFormatException.Shorten(type)}' cannot be imported (supported: none, linear, yarn, and Llama-3's rope_freqs tensor)."),
        };
    }

    // Llama-3 scaling is stored only as its per-frequency divisors; HF needs (factor, low/high freq factors, original
    // length). The factor is the largest divisor; the rest are Meta's values (1, 4, 8192 or the file's original
    // length), accepted only when they reproduce every divisor.
    static RopeScaling FitLlama3(GgufFile file, GgufTensorInfo freqs, int headDim)
    {
        if (freqs.Dims.Length != 1 || freqs.Dims[0] != headDim / 2)
            throw new GgufFormatException(file.Path, "rope_freqs.weight", $"shape [{string.Join(", ", freqs.Dims)}]; expected [{headDim / 2}].");
        var stored = file.ReadFloats(freqs);
        double theta = GgufMetadata.Float(file, "llama.rope.freq_base", 10000);
        int original = GgufMetadata.Int(file, "llama.rope.scaling.original_context_length", 8192);
        int[] candidates = [original, 8192];
        foreach (int orig in candidates)
        {
            var scaling = new RopeScaling { RopeType = "llama3", Factor = stored.Max(), LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = orig };
            var factors = GgufExporter.Llama3RopeFactors(new LlamaConfig { HeadDim = headDim, RopeTheta = theta, RopeScaling = scaling });
            if (factors.Zip(stored).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * Math.Max(1, Math.Abs(p.Second)))) return scaling;
        }
        throw new GgufFormatException(file.Path, "rope_freqs.weight", "the RoPE frequency factors are not Llama-3's (low_freq_factor 1, high_freq_factor 4); they cannot be turned into an HF rope_scaling.");
    }
}
