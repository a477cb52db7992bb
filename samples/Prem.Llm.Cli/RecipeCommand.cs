using System.CommandLine;
using Prem.Llm.Data;
using Prem.Llm.Distributed;
using Prem.Llm.Recipes;
using Prem.Llm.Text;
using Prem.Llm.Training;
using Prem.Llm.Reporting;
using Prem.Llm.Distributed.Launch;

namespace Prem.Llm.Cli;

/// <summary>
/// The shared body of <c>prem pretrain</c>, <c>prem sft</c> and <c>prem dpo</c>: read the YAML recipe
/// with its <c>--set</c> overrides, build the pieces, run the one trainer with the console reporter
/// (a live bar, or plain lines when output is redirected) and redraw <c>curves.png</c>.
/// </summary>
public static class RecipeCommand
{
    /// <summary>A command that loads a recipe with <paramref name="build"/> (config path, overrides, host) and runs it.</summary>
    public static Command Create(string name, string description, Func<string, IReadOnlyList<string>, RecipeHost, RecipeRun> build)
    {
        var config = new Option<string>("--config") { Description = "YAML recipe (the Prem-1B recipe's keys; see samples/configs)", Required = true };
        var set = new Option<string[]>("--set")
        {
            Description = "Override a key: --set trainer.max_epochs=1 (repeatable; the value is YAML)",
            AllowMultipleArgumentsPerToken = false,
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start over in an output_dir an earlier run used, deleting its checkpoints, metrics and final model" };
        var device = CliDevice.Option("default: the recipe's trainer.accelerator (auto: this rank's GPU when there is one)");
        var command = new Command(name, description) { config, set, overwrite, device };
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            // Under mpirun, srun or a torchrun-style launcher every rank runs this; alone, one process.
            // --device cuda under mpirun/srun joins the ranks with NCCL (bootstrapped over MPI): gradients stay on the GPU.
            string? deviceText = parse.GetValue(device);
            using var communicator = Communicators.Create(ForDevice(deviceText));
            var host = new RecipeHost { Log = parse.InvocationConfiguration.Error, Communicator = communicator, Device = deviceText };
            try
            {
                string[] sets = parse.GetValue(set) ?? [];
                if (parse.GetValue(overwrite)) sets = [.. sets, "overwrite=true"];
                var delay = StepDelay.FromEnvironment();
                using var run = build(parse.GetValue(config)!, sets, host);
                string outputDir = run.Options.Checkpoint.OutputDir!;
                // Ctrl-C or SIGTERM: stop after this step with a checkpoint; a second one exits at once.
                using var interrupt = new RecipeInterrupt(run, parse.InvocationConfiguration.Error);
                if (communicator.Rank != 0)
                {
                    run.Run();   // the trainer logs other ranks to output_dir/logs/rank{r}.log
                    return interrupt.Requested ? RecipeInterrupt.ExitCode : 0;
                }
                bool plain = !ReferenceEquals(stdout, Console.Out);
                var result = ConsoleTrainingReporter.Run(
                    p => run.Run(TrainingProgress.Combine(p, TrainingCurvePlot.Writer(outputDir), delay)), forcePlain: plain, plainWriter: stdout);
                if (result.Stopped)
                {
                    stdout.WriteLine($"stopped at step {result.Steps}; checkpoint in {result.CheckpointDirectory}");
                    stdout.WriteLine($"resume with: {RecipeInterrupt.ResumeCommand(name, parse.GetValue(config)!, parse.GetValue(set) ?? [])}");
                    return RecipeInterrupt.ExitCode;
                }
                stdout.WriteLine($"done: {result.Steps} steps, final model in {result.ExportDirectory}");
                return 0;
            }
            catch (Exception e) when (e is RecipeException or TrainingException or Devices.DeviceException or DataFormatException or TextDataException or InvalidDataException)
            {
                throw new CliError(e.Message);
            }
        }));
        return command;
    }

    /// <summary>NCCL for <c>--device cuda…</c> under a launcher (one GPU per rank); otherwise the launcher decides.</summary>
    internal static DistributedBackend ForDevice(string? device)
    {
        string d = device?.Trim().ToLowerInvariant() ?? "";
        bool cuda = d == "gpu" || d.StartsWith("cuda", StringComparison.Ordinal);
        return cuda && RankInfo.FromEnvironment().Launcher != LauncherKind.None ? DistributedBackend.Nccl : DistributedBackend.Auto;
    }
}
