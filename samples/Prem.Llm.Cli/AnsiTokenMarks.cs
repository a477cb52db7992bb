namespace Prem.Llm.Cli;

/// <summary>
/// Terminal colours for <c>prem tokenize --show</c>: trained tokens green, the others dimmed (ANSI
/// escape codes). The library only marks tokens through a callback; colour is the terminal's concern.
/// </summary>
public static class AnsiTokenMarks
{
    /// <summary>One token's text in green when <paramref name="trained"/>, dimmed otherwise.</summary>
    public static string Mark(string piece, bool trained) =>
        trained ? $"\u001b[32m{piece}\u001b[0m" : $"\u001b[2m{piece}\u001b[0m";
}
