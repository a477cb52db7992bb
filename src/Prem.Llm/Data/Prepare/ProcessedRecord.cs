namespace Prem.Llm.Data.Prepare;

/// <summary>
/// What became of one <see cref="CorpusRecord"/>: its tokens (BOS + text + EOS), or the reason it was
/// skipped and, for bad lines, a message.
/// </summary>
/// <param name="Tokens">BOS + tokens + EOS, or null when skipped.</param>
/// <param name="SkipReason">One of <see cref="SkipReasons"/>, or null when kept.</param>
/// <param name="Message">What was wrong, for bad lines.</param>
/// <param name="TextBytes">UTF-8 size of the record's raw content (for throughput).</param>
internal readonly record struct ProcessedRecord(int[]? Tokens, string? SkipReason, string? Message, long TextBytes);
