using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Training;

/// <summary>
/// End-to-end check that training reaches through attention: random tokens followed by the same
/// tokens again can only be predicted in the second half by looking back (an induction head).
/// </summary>
public class InContextCopyTests
{
    static CausalLmBatch CopyBatch(Random random, int batch, int half, int vocab)
    {
        var ids = new long[batch * (2 * half + 1)];
        var labels = new long[ids.Length];
        for (int b = 0; b < batch; b++)
        {
            int row = b * (2 * half + 1);
            ids[row] = 1;
            labels[row] = -100;
            for (int t = 0; t < half; t++)
            {
                long token = random.Next(2, vocab);
                ids[row + 1 + t] = ids[row + 1 + half + t] = token;
                labels[row + 1 + t] = -100;                 // unpredictable: not trained
                labels[row + 1 + half + t] = token;         // predictable only by copying
            }
            labels[row + 1 + half] = -100;                  // the first repeat needs a cue it does not have
        }
        return new CausalLmBatch(tensor(ids, [batch, 2 * half + 1]), labels: tensor(labels, [batch, 2 * half + 1]));
    }

    [Theory]
    [InlineData(TrainingPrecision.Float32)]
    [InlineData(TrainingPrecision.Bf16Mixed)]
    public void A_small_model_learns_to_copy_from_its_context(TrainingPrecision precision)
    {
        const int vocab = 64, half = 16;
        var config = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 16,
            VocabSize = vocab, MaxPositionEmbeddings = 64, BosTokenId = 1, EosTokenIds = [0],
        };
        using var model = new LlamaForCausalLM(config, seed: 3);
        var random = new Random(5);
        var batches = Enumerable.Range(0, 64).Select(_ => { var seed = random.Next(); return (Func<TrainingBatch>)(() => CopyBatch(new Random(seed), 16, half, vocab)); }).ToList();
        var options = new TrainerOptions
        {
            Optimizer = new() { LearningRate = 3e-3 }, Schedule = new() { MaxSteps = 300, WarmupFraction = 0.05 },
            Precision = new() { Mode = precision }, AccumulationSteps = 1, Seed = 1,
        };
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource(batches, shuffle: true), options);
        var result = trainer.Run();
        // Chance is ln 62 ≈ 4.1 nats; copying drives it towards 0.
        Assert.True(result.Losses[0] > 3.5, $"first loss {result.Losses[0]}");
        Assert.True(result.Losses.TakeLast(20).Average() < 0.5, $"last losses average {result.Losses.TakeLast(20).Average()}");
    }
}
