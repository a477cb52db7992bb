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
        var command = new Command(name, description) { config, set };
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            // Under mpirun, srun or a torchrun-style launcher every rank runs this; alone, one process.
            using var communicator = Communicators.FromEnvironment();
            var host = new RecipeHost { Log = parse.InvocationConfiguration.Error, Communicator = communicator };
            try
            {
                using var run = build(parse.GetValue(config)!, parse.GetValue(set) ?? [], host);
                string outputDir = run.Options.Checkpoint.OutputDir!;
                if (communicator.Rank != 0)
                {
                    run.Run();   // the trainer logs other ranks to output_dir/logs/rank{r}.log
                    return 0;
                }
                bool plain = !ReferenceEquals(stdout, Console.Out);
                var result = ConsoleTrainingReporter.Run(
                    p => run.Run(TrainingProgress.Combine(p, TrainingCurvePlot.Writer(outputDir))), forcePlain: plain, plainWriter: stdout);
                stdout.WriteLine($"done: {result.Steps} steps, final model in {result.ExportDirectory}");
                return 0;
            }
            catch (Exception e) when (e is RecipeException or TrainingException or DataFormatException or TextDataException or InvalidDataException)
            {
                throw new CliError(e.Message);
            }
        }));
        return command;
    }
}
