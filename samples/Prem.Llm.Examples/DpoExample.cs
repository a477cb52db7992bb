using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Text;
using Prem.Llm.Training;
using Prem.Llm.Reporting;

namespace Prem.Llm.Examples;

/// <summary>DPO: sigmoid loss, β 0.01; reference log-probs computed once and cached, so only the policy is in memory.</summary>
public static class DpoExample
{
    /// <summary>Aligns the SFT model in <paramref name="modelDir"/> on <paramref name="pairs"/> (JSONL of {"prompt","chosen","rejected"}).</summary>
    public static int Run(string modelDir, string pairs, string output)
    {
        var tokenizer = TokenizerLoader.Load(modelDir);
        var data = PreferenceDataset.Load(pairs, tokenizer, new PreferenceOptions { MaxLength = 2048, MaxPromptLength = 1000 });
        using var model = LlamaForCausalLM.FromPretrained(modelDir, dtype: TorchSharp.torch.ScalarType.Float32);
        var source = new BatchLoader<PreferenceExample, PreferenceBatch>(data.Examples, new PreferenceCollator(data.PadId), new BatchLoaderOptions { BatchSize = 2 });

        // The policy before training is the reference: score every pair once, before the first update.
        source.StartEpoch(0, seed: 42);
        var reference = CachedReferenceLogProbs.Precompute(model, Batches(source), Path.Combine(output, "reference-logps.bin"));

        var options = new TrainerOptions
        {
            Optimizer = new() { LearningRate = 4e-6 }, Schedule = new() { MaxEpochs = 1, WarmupFraction = 0.1 }, AccumulationSteps = 4,
            Checkpoint = new() { OutputDir = output, TokenizerDirectory = modelDir },
        };
        using var trainer = new Trainer(model, new DpoObjective(reference, beta: 0.01), source, options);
        var result = ConsoleTrainingReporter.Run(progress => trainer.Run(progress));
        Console.WriteLine($"{result.Steps} steps; model in {result.ExportDirectory}");
        return 0;
    }

    static IEnumerable<PreferenceBatch> Batches(BatchLoader<PreferenceExample, PreferenceBatch> source)
    {
        while (source.Next() is { } batch) yield return batch;
    }
}
