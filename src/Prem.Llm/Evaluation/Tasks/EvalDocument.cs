namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// One multiple-choice document rendered into lm-eval's loglikelihood requests. Either one context
/// is shared by every continuation (ARC, MMLU…) or, for "multiple input" tasks (WinoGrande), one
/// continuation is shared by every context. Continuations include the target delimiter.
/// </summary>
/// <param name="TaskName">The leaf task, e.g. <c>arc_easy</c> or <c>mmlu_anatomy</c>.</param>
/// <param name="Id">The document id from the data file.</param>
/// <param name="Contexts">One context, or one per choice.</param>
/// <param name="Continuations">One continuation per choice, or one shared.</param>
/// <param name="Gold">Index of the correct choice.</param>
/// <param name="NormLengths">Per choice, the divisor of <c>acc_norm</c> (code points of the choice without the delimiter); null when the task has no <c>acc_norm</c>.</param>
public sealed record EvalDocument(
    string TaskName,
    string Id,
    IReadOnlyList<string> Contexts,
    IReadOnlyList<string> Continuations,
    int Gold,
    IReadOnlyList<int>? NormLengths)
{
    /// <summary>Number of choices (requests) of this document.</summary>
    public int ChoiceCount => Math.Max(Contexts.Count, Continuations.Count);

    /// <summary>The (context, continuation) strings of choice <paramref name="choice"/>.</summary>
    public (string Context, string Continuation) Request(int choice) =>
        (Contexts.Count == 1 ? Contexts[0] : Contexts[choice],
         Continuations.Count == 1 ? Continuations[0] : Continuations[choice]);

    /// <summary>Checks the shape; throws <see cref="ArgumentException"/> naming the field.</summary>
    public void Validate()
    {
        if (Contexts.Count == 0 || Continuations.Count == 0)
            throw new ArgumentException($"document '{Id}': needs at least one context and one continuation");
        if (Contexts.Count != 1 && Continuations.Count != 1)
            throw new ArgumentException($"document '{Id}': {Contexts.Count} contexts and {Continuations.Count} continuations; one side must be shared");
        if (Gold < 0 || Gold >= ChoiceCount)
            throw new ArgumentException($"document '{Id}': gold index {Gold} is outside 0..{ChoiceCount - 1}");
        if (NormLengths is not null && NormLengths.Count != ChoiceCount)
            throw new ArgumentException($"document '{Id}': {NormLengths.Count} normalization lengths for {ChoiceCount} choices");
    }
}
