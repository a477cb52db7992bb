namespace Prem.Llm.Recipes;

/// <summary>
/// The one exception type of recipes: a YAML file that does not parse, an unknown key, a value of the
/// wrong type or out of range, a missing required key, or a bad <c>--set</c> override. The message
/// starts with where the problem is (<c>file:line</c>, or <c>--set</c>) and the key path, e.g.
/// <c>pretrain.yaml:14: trainer.precisionn: unknown key</c>.
/// </summary>
public sealed class RecipeException : Exception
{
    /// <summary>Creates the exception for <paramref name="keyPath"/> at <paramref name="location"/>.</summary>
    /// <param name="location">"file:line", "--set", or null when no place is known.</param>
    /// <param name="keyPath">The dotted key path, e.g. "model.optimizer_args.lr"; null for the whole document.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public RecipeException(string? location, string? keyPath, string problem, Exception? innerException = null)
        : base(Compose(location, keyPath, problem), innerException)
    {
        Location = location;
        KeyPath = keyPath;
    }

    /// <summary>"file:line", "--set", or null.</summary>
    public string? Location { get; }

    /// <summary>The dotted key path at fault, or null.</summary>
    public string? KeyPath { get; }

    static string Compose(string? location, string? keyPath, string problem)
    {
        var parts = new[] { location, keyPath, problem }.Where(p => !string.IsNullOrEmpty(p));
        return string.Join(": ", parts);
    }
}
