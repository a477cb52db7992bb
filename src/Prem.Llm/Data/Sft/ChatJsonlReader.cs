using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace Prem.Llm.Data;

/// <summary>
/// The record loop shared by <see cref="SftDataset"/> and <see cref="PreferenceDataset"/>: reads JSONL
/// files (plain, .gz or .zst; a file or a folder, via <see cref="CorpusFiles"/> and <see cref="CorpusReader"/>),
/// processes the lines in parallel keeping file order, and either throws the first problem as a
/// <see cref="DataFormatException"/> naming file and line or counts it by reason.
/// </summary>
internal static class ChatJsonlReader
{
    /// <summary>
    /// The processed records in input order; skipped ones are counted in <paramref name="skipped"/>. Bytes that are not
    /// UTF-8 fail naming file and byte offset, or with <paramref name="replaced"/> become U+FFFD, counted per file there.
    /// </summary>
    public static List<T> Load<T>(string path, Func<JsonElement, CorpusRecord, T> process, bool skipInvalid,
        SortedDictionary<string, long> skipped, out long records, Utf8Replacements? replaced = null)
    {
        var files = CorpusFiles.Enumerate(path);
        foreach (var f in files)
            if (CorpusFiles.KindOf(f) != CorpusFileKind.Jsonl) throw new DataFormatException("expected a JSONL file (.jsonl, optionally .gz/.zst)", f);
        List<(CorpusRecord Record, T? Value, ChatRecordProblem? Problem)> results;
        try
        {
            results = CorpusReader.Read(files, replaced: replaced).AsParallel().AsOrdered().Select(r => Process(r, process)).ToList();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        records = results.Count;
        var kept = new List<T>(results.Count);
        foreach (var (record, value, problem) in results)
        {
            if (problem is null)
            {
                kept.Add(value!);
                continue;
            }
            if (!skipInvalid) throw problem.ToException(record.FilePath, record.Line);
            skipped[problem.Reason] = skipped.GetValueOrDefault(problem.Reason) + 1;
        }
        return kept;
    }

    private static (CorpusRecord, T?, ChatRecordProblem?) Process<T>(CorpusRecord record, Func<JsonElement, CorpusRecord, T> process)
    {
        try
        {
            using var doc = ChatJson.Parse(record.Content);
            return (record, process(doc.RootElement, record), null);
        }
        catch (ChatRecordProblem p)
        {
            return (record, default, p);
        }
    }
}
