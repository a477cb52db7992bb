using Prem.Llm.Cli;

namespace Prem.Llm.Tests.Cli;

/// <summary>Runs `prem` in-process and captures its streams.</summary>
internal static class CliRun
{
    public static (int Exit, string Out, string Err) Prem(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = PremCli.Invoke(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
