using System.CommandLine;
using Prem.Llm.Cli.Commands;

namespace Prem.Llm.Cli;

/// <summary>The <c>prem</c> command line: one subcommand per job.</summary>
public static class PremCli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("prem: build, train, align and run Llama-style small language models.");
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(PrepareCommand.Create());
        root.Subcommands.Add(EvalCommand.Create(ModelFolder.LoadForEvaluation));
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(SftCommand.Create());
        root.Subcommands.Add(DpoCommand.Create());
        root.Subcommands.Add(ChatReadyCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Invoke(string[] args, TextWriter output, TextWriter error) =>
        Build().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
}
