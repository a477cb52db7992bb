using System.CommandLine;
using Prem.Llm.Checkpoints;
using Prem.Llm.Modeling;

namespace Prem.Llm.Cli;

/// <summary>Runs a command body and turns the library's input errors into one clear line and exit code 1.</summary>
public static class CliAction
{
    /// <summary>Wraps <paramref name="body"/> (which returns an exit code) for <see cref="Command.SetAction(Func{ParseResult, int})"/>.</summary>
    public static Func<ParseResult, int> Of(Func<ParseResult, TextWriter, int> body) => parse =>
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            return body(parse, output);
        }
        catch (Exception e) when (e is CliError or LlamaConfigException or SafeTensorsFormatException or HfCheckpointException
                                   or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException)
        {
            error.WriteLine($"prem: error: {e.Message}");
            return 1;
        }
    };
}
