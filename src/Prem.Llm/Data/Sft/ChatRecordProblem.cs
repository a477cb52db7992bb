namespace Prem.Llm.Data;

/// <summary>
/// Why one record cannot be used, raised while parsing or encoding it; the dataset loaders turn it into a
/// <see cref="DataFormatException"/> naming file and line, or a skip counted under <see cref="Reason"/>.
/// </summary>
internal sealed class ChatRecordProblem(string reason, string message, string? field = null, Exception? inner = null)
    : Exception(field is null ? message : $"field '{field}': {message}", inner)
{
    /// <summary>The skip-count key (<see cref="SkipReasons"/>, <see cref="ChatSkipReasons"/>).</summary>
    public string Reason { get; } = reason;

    /// <summary>Turns the problem into the data area's exception at <paramref name="file"/>:<paramref name="line"/>.</summary>
    public DataFormatException ToException(string file, long line) => new($"{Message} [{Reason}]", file, line, this);
}
