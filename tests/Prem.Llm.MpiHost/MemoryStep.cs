using System.Text.Json;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Modeling;
using Prem.Llm.Objectives;
using Prem.Llm.Training;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// Resident memory of one real training step, for checking <see cref="MemoryPlanner"/>: after a warm-up step (so
/// the optimizer state exists and the allocator has seen the step once) the peak resident set is reset
/// (<c>/proc/self/clear_refs</c> ← 5), one step runs, and the growth of the peak over the resident set before it is
/// the step's transient memory — activations, gradients and the head's workspace. Run with
/// <c>MALLOC_MMAP_THRESHOLD_=131072</c> (a fixed threshold): every block ≥ 128 KiB is then mapped and unmapped with
/// its tensor, so resident memory follows live tensors instead of glibc's heap high-water mark.
/// </summary>
internal static class MemoryStep
{
    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        int batch = options.Int("batch", 4), seq = options.Int("seq", 512);
        bool checkpointing = options.Get("checkpointing", "false") == "true";
        var precision = Enum.Parse<TrainingPrecision>(options.Get("precision", "Float32"));
        var config = new LlamaConfig
        {
            HiddenSize = options.Int("hidden", 256), IntermediateSize = options.Int("ffn", 768), NumHiddenLayers = options.Int("layers", 4),
            NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 64, VocabSize = options.Int("vocab", 2048), MaxPositionEmbeddings = seq,
        };
        var dtype = precision == TrainingPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        using var model = new LlamaForCausalLM(config, dtype: dtype, seed: 1);
        TrainingBatch MakeBatch()
        {
            var ids = randint(0, config.VocabSize, [batch, seq + 1], generator: new Generator(5));
            return new CausalLmBatch(ids.narrow(1, 0, seq).contiguous(), targets: ids.narrow(1, 1, seq).contiguous());
        }
        var source = new InMemoryBatchSource([MakeBatch]);
        var trainerOptions = new TrainerOptions
        {
            AccumulationSteps = 1, Schedule = new ScheduleOptions { MaxSteps = 3 },
            Precision = new PrecisionOptions { Mode = precision, ActivationCheckpointing = checkpointing },
        };
        using var trainer = new Trainer(model, new CausalLmObjective(), source, trainerOptions, communicator: communicator);
        using var warm = MakeBatch();
        using var measured = MakeBatch();
        trainer.RunStep([warm]);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Status("VmRSS");
        File.WriteAllText("/proc/self/clear_refs", "5");
        trainer.RunStep([measured]);
        long peak = Status("VmHWM");
        var plan = MemoryPlanner.Plan(config, new MemoryPlanOptions
        {
            SequenceLength = seq, MicroBatch = batch, Precision = precision, ActivationCheckpointing = checkpointing,
            Attention = options.Get("attention", "sdpa"), WorldSize = 1,
        });
        var row = new
        {
            before_bytes = before, peak_bytes = peak, step_bytes = peak - before,
            planned_activation_bytes = plan.ActivationBytes, planned_gradient_bytes = plan.GradientBytes,
            planned_workspace_bytes = plan.WorkspaceBytes, parameters = plan.Parameters,
        };
        File.WriteAllText(Path.Combine(output, "rank0.json"), JsonSerializer.Serialize(row));
    }

    /// <summary>A /proc/self/status field in bytes.</summary>
    static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
