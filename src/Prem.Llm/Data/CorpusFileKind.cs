namespace Prem.Llm.Data;

/// <summary>How a corpus file holds documents; decided by its extension (after any .gz/.zst).</summary>
public enum CorpusFileKind
{
    /// <summary><c>.jsonl</c>: one JSON object per line, the document in a string field.</summary>
    Jsonl,

    /// <summary><c>.txt</c>, <c>.text</c>, <c>.md</c>: plain UTF-8 text, split by <see cref="TextFileSplit"/>.</summary>
    Text,
}
