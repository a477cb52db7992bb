using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using TorchSharp;

namespace Prem.Llm.Benchmarks.Generation;

/// <summary>
/// The real model shapes of the CPU inference benchmarks with random weights, built at benchmark time:
/// llama2.c's stories42M and stories110M (tied classifier) and TinyLlama-1.1B. One model and engine is
/// kept at a time (the benchmarks run in process), so a 1.1B model is built once for all its cases.
/// </summary>
internal static class CpuShapes
{
    static (string Key, LlamaForCausalLM Model)? _model;
    static (string Key, CpuLlama Engine)? _engine;

    /// <summary>The configuration of <paramref name="shape"/>: "42M", "110M" or "1.1B".</summary>
    public static LlamaConfig Config(string shape) => shape switch
    {
        "42M" => new LlamaConfig
        {
            HiddenSize = 512, IntermediateSize = 1376, NumHiddenLayers = 8, NumAttentionHeads = 8, NumKeyValueHeads = 8, HeadDim = 64,
            VocabSize = 32000, MaxPositionEmbeddings = 1024, TieWordEmbeddings = true,
        },
        "110M" => new LlamaConfig
        {
            HiddenSize = 768, IntermediateSize = 2048, NumHiddenLayers = 12, NumAttentionHeads = 12, NumKeyValueHeads = 12, HeadDim = 64,
            VocabSize = 32000, MaxPositionEmbeddings = 1024, TieWordEmbeddings = true,
        },
        "1.1B" => LlamaConfig.Prem1B with { MaxPositionEmbeddings = 2048 },
        _ => throw new ArgumentException($"Unknown shape {shape}.", nameof(shape)),
    };

    /// <summary>The engine for <paramref name="shape"/> with <paramref name="weights"/> "float32", "bfloat16", "int8" (quantised from bf16) or "bf16-copy" (a bf16 model's copy in panels).</summary>
    public static CpuLlama Engine(string shape, string weights)
    {
        // Copies (int8, bf16-copy) take the native kernel's panels or the managed kernel's rows when they are made.
        var format = weights switch { "int8" => CpuWeightFormat.Int8, "bf16-copy" => CpuWeightFormat.Bf16, _ => CpuWeightFormat.AsLoaded };
        var native = format == CpuWeightFormat.Int8 ? Prem.Llm.Native.NativeCpuKernels.Int8 : Prem.Llm.Native.NativeCpuKernels.Bf16;
        string key = $"{shape}/{weights}" + (format == CpuWeightFormat.AsLoaded ? "" : $"/native={native.Use}");
        if (_engine is { } e && e.Key == key) return e.Engine;
        _engine = null;
        var dtype = weights == "float32" ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16;
        var model = Model(shape, dtype);
        var engine = new CpuLlama(model, format);
        _engine = (key, engine);
        return engine;
    }

    /// <summary>A random-weight model of <paramref name="shape"/> in <paramref name="dtype"/> (the previous one is freed).</summary>
    public static LlamaForCausalLM Model(string shape, torch.ScalarType dtype)
    {
        string key = $"{shape}/{dtype}";
        if (_model is { } m && m.Key == key) return m.Model;
        _engine = null;
        _model?.Model.Dispose();
        _model = null;
        GC.Collect();
        torch.set_num_threads(Environment.ProcessorCount);
        var model = new LlamaForCausalLM(Config(shape), dtype: dtype, seed: 1);
        _model = (key, model);
        return model;
    }

    /// <summary>Weight bytes per decode step (every layer matrix and the output head), as the engine counts them.</summary>
    public static long WeightBytesPerStep(string shape, string weights)
    {
        var c = Config(shape);
        long q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        long perLayer = c.HiddenSize * (q + 2 * kv) + q * c.HiddenSize + 3L * c.HiddenSize * c.IntermediateSize;
        long parameters = c.NumHiddenLayers * perLayer + (long)c.VocabSize * c.HiddenSize;
        return weights switch
        {
            "float32" => parameters * 4,
            "bfloat16" or "bf16-copy" => parameters * 2,
            _ => parameters + parameters / Int8Matrix.BlockSize * 4,
        };
    }

    /// <summary>Model FLOPs of a prefill of <paramref name="tokens"/> tokens: 2 per matrix weight per token, plus causal attention.</summary>
    public static double PrefillFlops(string shape, int tokens)
    {
        var c = Config(shape);
        long q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        long perLayer = c.HiddenSize * (q + 2 * kv) + q * c.HiddenSize + 3L * c.HiddenSize * c.IntermediateSize;
        double matmuls = 2.0 * c.NumHiddenLayers * perLayer * tokens + 2.0 * c.VocabSize * c.HiddenSize; // head: last token only
        double attention = 2.0 * 2.0 * c.NumHiddenLayers * q * tokens * (tokens + 1) / 2.0;   // q·k and p·v over the causal half
        return matmuls + attention;
    }
}
