using Prem.Llm.Data;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Text;
using Prem.Llm.Training;
using Prem.Llm.Reporting;

namespace Prem.Llm.Examples;

/// <summary>Chat fine-tuning: Llama-3 template, loss on assistant turns only, no packing (the Prem-1B recipe's SFT).</summary>
public static class SftExample
{
    /// <summary>Fine-tunes the HF folder <paramref name="modelDir"/> on <paramref name="chats"/> (JSONL of {"messages": [...]}).</summary>
    public static int Run(string modelDir, string chats, string output)
    {
        var tokenizer = TokenizerLoader.Load(modelDir);
        var data = SftDataset.Load(chats, tokenizer, new SftOptions { MaxSeqLength = 2048 });
        Console.WriteLine(data.Summary.ToJson());
        using var model = LlamaForCausalLM.FromPretrained(modelDir, dtype: TorchSharp.torch.ScalarType.Float32);
        var options = new TrainerOptions
        {
            Optimizer = new() { LearningRate = 5e-5 }, Schedule = new() { MaxEpochs = 3 }, AccumulationSteps = 16,
            Checkpoint = new() { OutputDir = output, TokenizerDirectory = modelDir },
        };
        using var trainer = new Trainer(model, new CausalLmObjective(), new BatchLoader<Prem.Llm.Data.SftExample, CausalLmBatch>(data.Rows, new SftCollator(data.PadId), new BatchLoaderOptions { BatchSize = 2 }), options);
        var result = ConsoleTrainingReporter.Run(progress => trainer.Run(progress));
        Console.WriteLine($"{result.Steps} steps; model in {result.ExportDirectory}");
        return 0;
    }
}
