using System.CommandLine;
using System.Globalization;
using Prem.Llm.Recipes;
using Prem.Llm.Training;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem plan --config F.yaml [--world-size N] [--memory-gb G] …</c>: per-device memory of a training recipe
/// (weights, gradients, optimizer state, activations with and without checkpointing), the largest micro-batch that
/// fits, and tokens/s and days for a token budget at a stated MFU. Nothing is loaded or trained.
/// </summary>
public static class PlanCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var defaults = new MemoryPlanOptions();
        var config = new Option<string>("--config") { Description = "YAML pretraining or SFT recipe", Required = true };
        var set = new Option<string[]>("--set") { Description = "Override a recipe key: --set data.batch_size=4 (repeatable)" };
        var kind = new Option<string>("--kind") { Description = "pretrain or sft", DefaultValueFactory = _ => "pretrain" };
        kind.AcceptOnlyFromAmong("pretrain", "sft");
        var worldSize = new Option<int>("--world-size") { Description = "Data-parallel devices", DefaultValueFactory = _ => 1 };
        var memory = new Option<double>("--memory-gb") { Description = "Memory of one device in GiB", DefaultValueFactory = _ => defaults.DeviceMemoryGiB };
        var reserve = new Option<double>("--reserve-gb")
        {
            Description = "Kept free per device for the CUDA context, cuBLAS/NCCL workspaces and fragmentation", DefaultValueFactory = _ => defaults.ReserveGiB,
        };
        var mfu = new Option<double>("--mfu") { Description = "Model FLOP utilisation for the time estimate", DefaultValueFactory = _ => defaults.Mfu };
        var peak = new Option<double>("--peak-tflops") { Description = "Peak dense bf16 TFLOP/s of one device (H100 SXM 989)", DefaultValueFactory = _ => defaults.PeakTflops };
        var tokens = new Option<double>("--tokens") { Description = "Token budget for the days estimate", DefaultValueFactory = _ => defaults.TokenBudget };
        var checkpointing = new Option<bool?>("--checkpointing") { Description = "true/false: override trainer.gradient_checkpointing" };
        var modelConfig = new Option<string?>("--model-config") { Description = "config.json of the model, when model_name is not a folder here (a Hub id)" };
        var command = new Command("plan", "Per-device memory, largest micro-batch and training time of a recipe (nothing is loaded)")
        {
            config, set, kind, worldSize, memory, reserve, mfu, peak, tokens, checkpointing, modelConfig,
        };
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            if (parse.GetValue(worldSize) <= 0) throw new CliError($"--world-size must be positive, got {parse.GetValue(worldSize)}.");
            var settings = defaults with
            {
                WorldSize = parse.GetValue(worldSize), DeviceMemoryGiB = parse.GetValue(memory), ReserveGiB = parse.GetValue(reserve),
                Mfu = parse.GetValue(mfu), PeakTflops = parse.GetValue(peak), TokenBudget = parse.GetValue(tokens),
            };
            string[] sets = parse.GetValue(set) ?? [];
            if (parse.GetValue(checkpointing) is bool on) sets = [.. sets, "trainer.gradient_checkpointing=" + (on ? "true" : "false")];
            MemoryPlan plan;
            try
            {
                plan = RecipePlan.Load(parse.GetValue(config)!, parse.GetValue(kind) == "sft" ? RecipeKind.Sft : RecipeKind.Pretrain, sets, settings,
                    parse.GetValue(modelConfig)).Plan;
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliError($"{OptionName(e.ParamName)}: {e.Message.Split(" (Parameter")[0]}");
            }
            stdout.Write(plan.ToString());
            return plan.Fits ? 0 : 2;
        }));
        return command;
    }

    static string OptionName(string? field) => field switch
    {
        nameof(MemoryPlanOptions.Mfu) => "--mfu",
        nameof(MemoryPlanOptions.DeviceMemoryGiB) => "--memory-gb",
        nameof(MemoryPlanOptions.ReserveGiB) => "--reserve-gb",
        nameof(MemoryPlanOptions.PeakTflops) => "--peak-tflops",
        nameof(MemoryPlanOptions.TokenBudget) => "--tokens",
        _ => string.Create(CultureInfo.InvariantCulture, $"recipe ({field})"),
    };
}
