using System.CommandLine;
using System.Text.Json;
using Prem.Llm.Checkpoints;
using Prem.Llm.Data;
using Prem.Llm.Evaluation.Tasks;
using Prem.Llm.Modeling;
using Prem.Llm.Recipes;
using Prem.Llm.Text;
using Prem.Llm.Training;

namespace Prem.Llm.Cli;

/// <summary>
/// The one error path of every command: a failure prints one line, <c>prem: error: …</c>, to standard error and
/// the command exits 1. Input errors (bad files, flags, recipes) print their message alone; anything else prints
/// its type as well, and the stack trace only with <c>PREM_DEBUG=1</c>.
/// </summary>
public static class CliAction
{
    /// <summary>The prefix of every error line.</summary>
    public const string ErrorPrefix = "prem: error: ";

    /// <summary>Wraps <paramref name="body"/> (which returns an exit code) for <see cref="Command.SetAction(Func{ParseResult, int})"/>.</summary>
    public static Func<ParseResult, int> Of(Func<ParseResult, TextWriter, int> body) => parse =>
    {
        try
        {
            return body(parse, parse.InvocationConfiguration.Output);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Report(e, parse.InvocationConfiguration.Error);
        }
    };

    /// <summary>The asynchronous form of <see cref="Of"/>, for commands that honour cancellation.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> OfAsync(Func<ParseResult, CancellationToken, Task<int>> body) => async (parse, cancellationToken) =>
    {
        try
        {
            return await body(parse, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Report(e, parse.InvocationConfiguration.Error);
        }
    };

    /// <summary>Writes the one error line for <paramref name="e"/> to <paramref name="error"/>; returns the exit code, 1.</summary>
    public static int Report(Exception e, TextWriter error)
    {
        error.WriteLine(ErrorPrefix + Describe(e));
        if (Environment.GetEnvironmentVariable("PREM_DEBUG") is "1" or "true") error.WriteLine(e.ToString());
        return 1;
    }

    /// <summary>The message for <paramref name="e"/>: an ordinary input error's own text, anything else with its type.</summary>
    internal static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) return Describe(aggregate.InnerExceptions[0]);
        return e switch
        {
            ArgumentException a => WithoutParameterTail(a),
            CliError or LlamaConfigException or SafeTensorsFormatException or HfCheckpointException or RecipeException or TrainingException
                or DataFormatException or TextDataException or EvaluationException or InvalidDataException or IOException
                or UnauthorizedAccessException or JsonException or FormatException or Devices.DeviceException or Gguf.GgufFormatException => e.Message,
            _ => $"{e.Message} ({e.GetType().Name}; set PREM_DEBUG=1 for the stack trace)",
        };
    }

    /// <summary><paramref name="e"/>'s message without .NET's " (Parameter 'name')" tail.</summary>
    internal static string WithoutParameterTail(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
