using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

/// <summary>Tiny models and synthetic batches shared by the objective and trainer tests.</summary>
internal static class TrainingFixtures
{
    public static LlamaConfig TinyConfig(int vocab = 48, bool tied = false) => new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        HeadDim = 8, VocabSize = vocab, MaxPositionEmbeddings = 64, TieWordEmbeddings = tied,
    };

    public static LlamaForCausalLM TinyModel(long seed = 1, int vocab = 48, bool tied = false, ScalarType? dtype = null) =>
        new(TinyConfig(vocab, tied), dtype: dtype ?? ScalarType.Float32, seed: seed);

    /// <summary>Random ids [rows, seq] from a seeded generator.</summary>
    public static Tensor RandomIds(long rows, long seq, int vocab, ulong seed)
    {
        var g = new Generator(seed);
        return randint(0, vocab, [rows, seq], dtype: ScalarType.Int64, generator: g);
    }

    /// <summary>A causal-LM batch whose labels equal its ids except where <paramref name="mask"/> is false (−100).</summary>
    public static CausalLmBatch LmBatch(Tensor ids, Tensor? mask = null)
    {
        var labels = mask is null ? ids.clone() : ids.masked_fill(mask.logical_not(), TrainingBatch.IgnoreIndex);
        return new CausalLmBatch(ids.clone(), labels: labels);
    }

    /// <summary>
    /// A learnable synthetic task: each row counts up by a row-specific step modulo the vocabulary,
    /// so the next token is predictable from the previous two.
    /// </summary>
    public static Func<TrainingBatch> CountingBatch(int index, int rows, int seq, int vocab) => () =>
    {
        var data = new long[rows * seq];
        for (int r = 0; r < rows; r++)
        {
            int start = (index * 7 + r * 3) % vocab, step = 1 + (index + r) % 3;
            for (int t = 0; t < seq; t++) data[r * seq + t] = (start + step * t) % vocab;
        }
        var ids = tensor(data, [rows, seq]);
        return new CausalLmBatch(ids, labels: ids.clone());
    };

    public static InMemoryBatchSource CountingSource(int batches, int rows = 2, int seq = 12, int vocab = 48, bool shuffle = true) =>
        new(Enumerable.Range(0, batches).Select(i => CountingBatch(i, rows, seq, vocab)).ToList(), shuffle);

    public static Dictionary<string, float[]> Weights(LlamaForCausalLM model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to_type(ScalarType.Float32).data<float>().ToArray());

    public static Dictionary<string, float[]> Grads(LlamaForCausalLM model) =>
        model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.to_type(ScalarType.Float32).data<float>().ToArray());

    public static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }

    public static void ZeroGrads(LlamaForCausalLM model)
    {
        foreach (var (_, p) in model.named_parameters()) p.grad = null;
    }

    public static string TempDir() => TestData.TempDirectory();
}
