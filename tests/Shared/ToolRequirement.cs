using Xunit.Abstractions;

namespace Prem.Llm.Testing;

/// <summary>
/// The suite's one rule for tests that need a tool the .NET SDK does not bring (NVRTC, Open MPI,
/// MPICH): when the tool is missing the test is reported as skipped, with the reason and the install
/// script to run; under CI (<c>CI=true</c>) the same test fails instead, so a broken install step
/// cannot go green. Tests that use it are <c>[SkippableFact]</c>/<c>[SkippableTheory]</c>.
/// Each test project adds its tools as another part of this class. The test runner's summary names a
/// skipped test but not why, so each reason is also reported once, as an xunit diagnostic message (shown
/// by <c>dotnet test</c>; xunit.runner.json turns them on), by the classes that use <see cref="ToolReport"/>.
/// </summary>
internal static partial class ToolRequirement
{
    static IMessageSink? _sink;
    static readonly HashSet<(IMessageSink, string)> _reported = [];

    /// <summary>Where skip reasons are reported (set by <see cref="ToolReport"/>).</summary>
    public static void ReportTo(IMessageSink sink) => _sink ??= sink;

    /// <summary>The environment variable CI systems set (GitHub Actions, GitLab, Azure Pipelines: <c>true</c>).</summary>
    public const string CiVariable = "CI";

    /// <summary>Whether this process runs under CI: <c>CI</c> is <c>true</c> or <c>1</c>.</summary>
    public static bool IsCi => IsCiValue(Environment.GetEnvironmentVariable(CiVariable));

    public static bool IsCiValue(string? value) =>
        value is not null && (value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) || value.Trim() == "1");

    /// <summary>
    /// Returns when <paramref name="missing"/> is null (the tool is there); otherwise skips the test
    /// with "<paramref name="missing"/>; run <paramref name="installScript"/>", or fails it under CI.
    /// </summary>
    public static void Require(string? missing, string installScript) => Require(missing, installScript, IsCi, _sink);

    /// <summary><see cref="Require(string?, string)"/> with CI and the sink for the skip reason given.</summary>
    public static void Require(string? missing, string installScript, bool ci, IMessageSink? report)
    {
        if (missing is null) return;
        var reason = $"{missing}; run {installScript}";
        if (ci)
            throw new ToolMissingException($"{reason} ({CiVariable}=true: a missing tool fails the test instead of skipping it)");
        if (report is not null)
            lock (_reported)
                if (_reported.Add((report, reason))) report.OnMessage(new Xunit.Sdk.DiagnosticMessage($"SKIPPED (tool missing): {reason}"));
        throw new SkipException(reason);
    }
}

/// <summary>A required tool is missing on a CI machine: a failure, not a skip.</summary>
internal sealed class ToolMissingException(string message) : Exception(message);

/// <summary>
/// Class fixture of the test classes that need a tool: hands xunit's diagnostic sink to
/// <see cref="ToolRequirement"/> so that the reason for a skip is printed once per run.
/// </summary>
public sealed class ToolReport
{
    /// <summary>Called by xunit with its diagnostic sink.</summary>
    public ToolReport(IMessageSink diagnostics) => ToolRequirement.ReportTo(diagnostics);
}
