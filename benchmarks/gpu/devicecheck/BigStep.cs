using System.Diagnostics;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Data;
using Prem.Llm.Devices;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.DeviceCheck;

/// <summary>
/// Training steps at TinyLlama-1.1B's shape (the Prem-1B recipe's model), bf16-mixed, flash attention, activation
/// checkpointing: step time, MFU against the device's peak, and the device's used memory against the planner.
/// </summary>
internal static class BigStep
{
    public static Dictionary<string, object?> Run(Device device, int sequence, int rows, int timedSteps, double peakTflops)
    {
        var config = new LlamaConfig { MaxPositionEmbeddings = sequence };
        using var model = new LlamaForCausalLM(config, new FlashAttentionBackend(), ScalarType.Float32, device, seed: 1);
        var options = new TrainerOptions
        {
            AccumulationSteps = 1, Schedule = new ScheduleOptions { MaxSteps = timedSteps + 1 },
            Precision = new PrecisionOptions { Mode = TrainingPrecision.Bf16Mixed, ActivationCheckpointing = true },
        };
        CausalLmBatch Batch()
        {
            var ids = randint(3, config.VocabSize, [rows, sequence + 1], generator: new Generator(3));
            // Four documents per row: the variable-length kernel, as packed pretraining runs it.
            var docs = arange(sequence).div(sequence / 4, rounding_mode: RoundingMode.floor).unsqueeze(0).expand(rows, sequence).contiguous();
            return new CausalLmBatch(ids.narrow(1, 0, sequence).contiguous(), targets: ids.narrow(1, 1, sequence).contiguous(), documentIds: docs);
        }
        using var trainer = new Trainer(model, new CausalLmObjective(), new InMemoryBatchSource([Batch]), options);
        using var batch = Batch();
        trainer.RunStep([batch]);   // warm-up: kernel compilation, allocator growth
        ComputeDevice.Synchronize(device);
        double peak = GpuMemory.Of(device)?.UsedGiB ?? double.NaN;
        var times = new List<double>();
        for (int i = 0; i < timedSteps; i++)
        {
            var clock = Stopwatch.StartNew();
            trainer.RunStep([batch]);
            ComputeDevice.Synchronize(device);
            times.Add(clock.Elapsed.TotalSeconds);
            peak = Math.Max(peak, GpuMemory.Of(device)?.UsedGiB ?? double.NaN);
        }
        double step = times.Order().ElementAt(times.Count / 2);
        long tokens = (long)rows * sequence;
        double mfu = MemoryPlanner.FlopsPerToken(config, sequence) * tokens / step / (peakTflops * 1e12);
        var plan = MemoryPlanner.Plan(config, new MemoryPlanOptions { SequenceLength = sequence, MicroBatch = rows, WorldSize = 1, Attention = "flash" });
        return new()
        {
            ["rows"] = rows, ["sequence"] = sequence, ["step_s"] = Math.Round(step, 4), ["tokens_per_s"] = Math.Round(tokens / step),
            ["mfu"] = Math.Round(mfu, 4), ["used_gib_sampled_peak"] = Math.Round(peak, 2),
            ["planned_gib"] = Math.Round(plan.TotalBytes / (double)(1L << 30), 2),
            ["note"] = "used = the driver's figure (LibTorch's cache, context and workspaces included), sampled after steps",
        };
    }
}
