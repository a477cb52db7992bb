using Prem.Llm.Attention;
using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.DeviceCheck;

/// <summary>
/// A tiny Llama (2 layers, hidden 256, 4 heads of 64, 2 KV heads) trained bf16-mixed for a few steps on packed rows
/// (document ids, so flash runs its variable-length kernel) of a learnable synthetic corpus. Same seed, same data on
/// every device and backend: the loss trajectories are comparable.
/// </summary>
internal static class TinyRun
{
    public static LlamaConfig Config => new()
    {
        HiddenSize = 256, IntermediateSize = 512, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 64,
        VocabSize = 512, MaxPositionEmbeddings = 256, BosTokenId = 1, EosTokenIds = [2],
    };

    public const int Rows = 4, Sequence = 128;

    /// <summary>Row r of step s: documents of 16–64 tokens, each counting up from a seeded start (mod 500), separated by EOS.</summary>
    public static CausalLmBatch Batch(int step)
    {
        var rng = new Random(1000 + step);
        var ids = new long[Rows * (Sequence + 1)];
        var docs = new long[Rows * Sequence];
        for (int r = 0; r < Rows; r++)
        {
            int doc = 0, left = 0, token = 0;
            for (int t = 0; t <= Sequence; t++)
            {
                if (left == 0)
                {
                    left = rng.Next(16, 65);
                    token = rng.Next(3, 500);
                    if (t > 0) doc++;
                }
                ids[r * (Sequence + 1) + t] = left == 1 ? 2 : 3 + (token++ % 497);
                if (t < Sequence) docs[r * Sequence + t] = doc;
                left--;
            }
        }
        var all = tensor(ids, [Rows, Sequence + 1]);
        return new CausalLmBatch(all.narrow(1, 0, Sequence).contiguous(), targets: all.narrow(1, 1, Sequence).contiguous(),
            documentIds: tensor(docs, [Rows, Sequence]));
    }

    /// <summary>Losses of <paramref name="steps"/> optimizer steps with <paramref name="backend"/> on <paramref name="device"/>.</summary>
    public static List<double> Train(Device device, IAttentionBackend backend, int steps)
    {
        using var model = new LlamaForCausalLM(Config, backend, ScalarType.Float32, device, seed: 7);
        var options = new TrainerOptions
        {
            AccumulationSteps = 1, Seed = 7,
            Schedule = new ScheduleOptions { MaxSteps = steps, WarmupFraction = 0.1 },
            Optimizer = new OptimizerOptions { LearningRate = 3e-3 },
            Precision = new PrecisionOptions { Mode = TrainingPrecision.Bf16Mixed },
        };
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource([() => Batch(0)]), options);
        var losses = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            using var batch = Batch(s);
            losses.Add(Math.Round(trainer.RunStep([batch]), 5));
        }
        return losses;
    }
}
