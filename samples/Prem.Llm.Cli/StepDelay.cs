using Prem.Llm.Training;

namespace Prem.Llm.Cli;

/// <summary>
/// For tests only: <c>PREM_TEST_STEP_DELAY_MS</c> makes each reported training step last that much longer, so a test
/// can signal a child <c>prem</c> process while it is inside a step (the tiny test models train a step in milliseconds).
/// </summary>
public sealed class StepDelay(TimeSpan delay) : IProgress<TrainingUpdate>
{
    /// <summary>The environment variable read by <see cref="FromEnvironment"/>.</summary>
    public const string Variable = "PREM_TEST_STEP_DELAY_MS";

    /// <summary>The delay the variable asks for, or null when it is unset; a value that is not a whole number ≥ 0 is a <see cref="CliError"/>.</summary>
    public static StepDelay? FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The delay <paramref name="value"/> (the variable's text) asks for; null for none (unset, empty or 0).</summary>
    public static StepDelay? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int ms))
            throw new CliError($"{Variable} must be a whole number of milliseconds, got \"{value}\".");
        return ms == 0 ? null : new StepDelay(TimeSpan.FromMilliseconds(ms));
    }

    /// <summary>The delay after each step.</summary>
    public TimeSpan Delay => delay;

    /// <summary>Sleeps for <see cref="Delay"/> after a step or skipped step; other updates pass at once.</summary>
    public void Report(TrainingUpdate value)
    {
        if (value.Kind is TrainingUpdateKind.Step or TrainingUpdateKind.SkippedStep) Thread.Sleep(delay);
    }
}
