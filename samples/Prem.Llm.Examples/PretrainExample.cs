using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Text;
using Prem.Llm.Training;
using Prem.Llm.Reporting;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Examples;

/// <summary>Pretraining from scratch: corpus → token shards → packed rows → causal-LM loss.</summary>
public static class PretrainExample
{
    /// <summary>Trains a small Llama on <paramref name="corpus"/> (JSONL with a "text" field) and writes it to <paramref name="output"/>.</summary>
    public static int Run(string corpus, string tokenizerDir, string output)
    {
        var tokenizer = TokenizerLoader.Load(tokenizerDir);
        new CorpusPreparer(tokenizer, new PrepareOptions
        {
            Input = corpus, Output = Path.Combine(output, "shards"), TokenizerHash = TokenizerFingerprint.Of(tokenizerDir),
            SeqLen = 256, ValFraction = 0.01, Workers = Environment.ProcessorCount,
        }).Run();
        using var train = new PackedTokenDataset(Path.Combine(output, "shards"), "train");
        using var val = new PackedTokenDataset(Path.Combine(output, "shards"), "val");

        var config = new LlamaConfig
        {
            HiddenSize = 256, IntermediateSize = 688, NumHiddenLayers = 4, NumAttentionHeads = 8, NumKeyValueHeads = 2, HeadDim = 32,
            VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = 2048, BosTokenId = tokenizer.BosId, EosTokenIds = [tokenizer.EosId],
        };
        using var model = new LlamaForCausalLM(config, seed: 42);
        // The Prem-1B recipe (AdamW 4e-4, betas 0.9/0.95, wd 0.1, 10% warmup, clip 1, bf16-mixed), fewer steps.
        var options = new TrainerOptions
        {
            Schedule = new() { MaxSteps = 1000 }, AccumulationSteps = 4, ValidateEveryNSteps = 200,
            Checkpoint = new() { OutputDir = output, TokenizerDirectory = tokenizerDir },
        };
        using var trainer = new Trainer(model, new CausalLmObjective(),
            new BatchLoader<PackedWindow, CausalLmBatch>(new PackedWindows(train), new PackedWindowCollator(), new BatchLoaderOptions { BatchSize = 8 }), options,
            new BatchLoader<PackedWindow, CausalLmBatch>(new PackedWindows(val), new PackedWindowCollator(), new BatchLoaderOptions { BatchSize = 8, Shuffle = false }));
        var result = ConsoleTrainingReporter.Run(progress => trainer.Run(TrainingProgress.Combine(progress, TrainingCurvePlot.Writer(output))));
        Console.WriteLine($"{result.Steps} steps; model in {result.ExportDirectory}");
        return 0;
    }
}
