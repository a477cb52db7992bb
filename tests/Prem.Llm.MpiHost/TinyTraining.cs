using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// A minimal data-parallel training loop on a tiny Llama, the shape the trainer follows: broadcast
/// and verify weights, micro-batches with gradient accumulation, one gradient all-reduce per step,
/// global-norm clipping, optimizer step. Rank r of N takes sequences [r·G/N, (r+1)·G/N) of each
/// global batch of G, so any N that divides G sees the same data per step.
/// </summary>
internal static class TinyTraining
{
    public static LlamaConfig Config(string name) => name switch
    {
        "tiny-20m" => new LlamaConfig
        {
            HiddenSize = 256, IntermediateSize = 768, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 4,
            HeadDim = 64, VocabSize = 32000, MaxPositionEmbeddings = 512,
        },
        _ => new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            HeadDim = 16, VocabSize = 128, MaxPositionEmbeddings = 64,
        },
    };

    /// <summary>Tokens of sequence <paramref name="index"/> of step <paramref name="step"/>: the same on every rank and world size.</summary>
    public static Tensor Batch(long seed, int step, int first, int count, int seqLen, int vocab)
    {
        var ids = new long[count * (seqLen + 1)];
        for (int j = 0; j < count; j++)
            for (int t = 0; t <= seqLen; t++)
            {
                // A little structure (each token echoes one two places back, half the time) so the loss falls.
                long global = ((long)step * 100_000 + first + j) * (seqLen + 1) + t;
                int k = j * (seqLen + 1) + t;
                ids[k] = t >= 2 && StableHash.Unit(seed + 1, global) < 0.5 ? ids[k - 2] : (long)(StableHash.Of(seed, global) % (ulong)vocab);
            }
        return tensor(ids, [count, seqLen + 1]);
    }

    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        int steps = options.Int("steps", 5), globalBatch = options.Int("global-batch", 8), accum = options.Int("accum", 2);
        int seqLen = options.Int("seq", 32);
        string optimizerName = options.Get("optimizer", "adamw");
        var config = Config(options.Get("config", "tiny"));
        int n = communicator.Size, r = communicator.Rank;
        if (globalBatch % (n * accum) != 0)
            throw new DistributedException(r, n, $"global batch {globalBatch} is not divisible by ranks × accumulation = {n * accum}.");
        int perRank = globalBatch / n, micro = perRank / accum;

        // Different seeds per rank: only the broadcast makes the replicas equal.
        using var model = new LlamaForCausalLM(config, dtype: ScalarType.Float32, seed: 1234 + 7919L * r);
        using var dp = new DataParallel(communicator, GradientReduction.Average, bucketBytes: options.Int("bucket-kb", 64) * 1024L);
        dp.BroadcastParameters(model);
        dp.VerifyParametersEqual(model);
        var parameters = model.parameters().ToList();
        optim.Optimizer optimizer = optimizerName == "sgd"
            ? optim.SGD(parameters, 0.05)
            : optim.AdamW(parameters, 3e-3, weight_decay: 0.1);

        var losses = new List<double>();
        var norms = new List<double>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            double localLoss = 0;
            for (int m = 0; m < accum; m++)
            {
                using var microScope = NewDisposeScope();
                var ids = Batch(seed: 7, step, r * perRank + m * micro, micro, seqLen, config.VocabSize);
                var logits = model.Forward(ids.narrow(1, 0, seqLen));
                var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, seqLen).reshape(-1)) / accum;
                loss.backward();
                localLoss += loss.item<float>();
            }
            // The accumulation boundary: the only communication of the step.
            dp.AllReduceGradients(model);
            norms.Add(DataParallel.ClipGradNorm(parameters, 1.0));
            optimizer.step();
            losses.Add(communicator.AllReduceValue(localLoss) / n);
        }
        dp.VerifyParametersEqual(model);
        var result = new
        {
            rank = r,
            size = n,
            losses,
            norms,
            checksum = ParameterChecksum.Compute(model).ToString("x16"),
            buckets = dp.LastBucketCount,
        };
        File.WriteAllText(Path.Combine(output, $"rank{r}.json"), JsonSerializer.Serialize(result));
    }
}
