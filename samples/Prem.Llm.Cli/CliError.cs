namespace Prem.Llm.Cli;

/// <summary>A user-facing failure: printed as one line, exit code 1.</summary>
public sealed class CliError(string message) : Exception(message)
{
    /// <summary>
    /// Restates a library's <see cref="ArgumentException"/> in the command line's words: the property it names
    /// (<c>MaxNewTokens</c>, <c>options.SeqLen</c>) becomes the flag (<c>--max-new-tokens</c>) and the
    /// "(Parameter '…')" tail goes.
    /// </summary>
    internal static CliError FromArgument(ArgumentException e, IReadOnlyDictionary<string, string> flags)
    {
        string message = CliAction.WithoutParameterTail(e);
        foreach (var (property, flag) in flags.OrderByDescending(p => p.Key.Length))
            message = message.Replace("options." + property, flag, StringComparison.Ordinal).Replace(property, flag, StringComparison.Ordinal);
        return new CliError(message);
    }
}
