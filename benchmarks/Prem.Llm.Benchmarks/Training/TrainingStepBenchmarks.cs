using BenchmarkDotNet.Attributes;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Training;

/// <summary>
/// One optimizer step (forward, fused chunked loss, backward, clip, AdamW) of the "tiny-20M" Llama
/// (4 layers, d 256, 4 heads, ffn 768, vocab 32000) on a 4 × 256 batch, in float32 and bf16-mixed,
/// next to 1024³ GEMMs in float32 and bf16 measured in the same run: model FLOP/s ÷ GEMM FLOP/s is
/// the utilisation. Model FLOPs per step = 6·N·T + 6·L·d·s·T (N = 11.60 M non-embedding parameters
/// including the head, T = 1,024 tokens, causal attention counted once) ≈ 72.9 GFLOP.
/// </summary>
[ShortRunJob]
public class TrainingStepBenchmarks
{
    /// <summary>Model FLOPs of one step (see the class summary).</summary>
    public const double StepFlops = 6.0 * 11_602_176 * 1024 + 6.0 * 4 * 256 * 256 * 1024;

    private LlamaForCausalLM _model = null!;
    private Trainer _trainer = null!;
    private CausalLmBatch _batch = null!;
    private Tensor _a32 = null!, _b32 = null!, _a16 = null!, _b16 = null!;

    [Params(TrainingPrecision.Float32, TrainingPrecision.Bf16Mixed)]
    public TrainingPrecision Precision { get; set; }

    public static LlamaConfig Tiny20M => new()
    {
        HiddenSize = 256, IntermediateSize = 768, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 4,
        HeadDim = 64, VocabSize = 32000, MaxPositionEmbeddings = 256,
    };

    [GlobalSetup]
    public void Setup()
    {
        // Threads = cores is the right setting on a dedicated machine. On our shared 2-core CI/dev boxes
        // (load 5-10) LibTorch's OpenMP workers spin at barriers while a sibling is descheduled and
        // 2-thread timings swing 3-10×; one thread gives stable ratios. Set PREM_BENCH_THREADS to change it.
        set_num_threads(int.TryParse(Environment.GetEnvironmentVariable("PREM_BENCH_THREADS"), out int threads) ? threads : 1);
        _model = new LlamaForCausalLM(Tiny20M, dtype: ScalarType.Float32, seed: 1);
        var options = new TrainerOptions { Precision = new() { Mode = Precision }, Schedule = new() { MaxSteps = 1_000_000 }, AccumulationSteps = 1, Checkpoint = new() { ExportFinalModel = false } };
        var ids = randint(0, 32000, [4, 256], dtype: ScalarType.Int64, generator: new Generator(1));
        _batch = new CausalLmBatch(ids, labels: ids.clone());
        _trainer = new Trainer(_model, new CausalLmObjective(), new InMemoryBatchSource([() => _batch]), options);
        _a32 = randn(1024, 1024); _b32 = randn(1024, 1024);
        _a16 = _a32.to_type(ScalarType.BFloat16); _b16 = _b32.to_type(ScalarType.BFloat16);
    }

    [Benchmark(Description = "train step 4x256")]
    public double TrainStep() => _trainer.RunStep([_batch]);

    [Benchmark(Description = "GEMM 1024^3 fp32")]
    public void GemmFloat32()
    {
        using var c = _a32.matmul(_b32);
    }

    [Benchmark(Description = "GEMM 1024^3 bf16")]
    public void GemmBf16()
    {
        using var c = _a16.matmul(_b16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _trainer.Dispose();
        _model.Dispose();
        _batch.Dispose();
    }
}
