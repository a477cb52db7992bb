namespace Prem.Llm.Data;

/// <summary>
/// One raw record read from a corpus file, before parsing and tokenizing: a JSONL line or a plain
/// text document.
/// </summary>
/// <param name="FilePath">The file it came from.</param>
/// <param name="Line">1-based line where the record starts.</param>
/// <param name="Kind">How <paramref name="Content"/> is to be read.</param>
/// <param name="Content">The JSON line or the document text.</param>
internal readonly record struct CorpusRecord(string FilePath, long Line, CorpusFileKind Kind, string Content);
