using System.Text.Json;

namespace Prem.Llm.Evaluation.Tasks;

/// <summary>
/// Reads tasks' JSONL data files (one JSON object per line) into documents. A file shared by several
/// tasks (MMLU) is read once. Missing files and malformed rows throw <see cref="EvaluationException"/>
/// with the file and 1-based line; no row is skipped.
/// </summary>
internal static class TaskDataLoader
{
    /// <summary>
    /// The documents of each task in file order, read from <c>Path.Combine(dataDir, task.DataFile)</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<EvalDocument>> Load(IReadOnlyList<EvalTask> tasks, string dataDir)
    {
        var result = new Dictionary<string, IReadOnlyList<EvalDocument>>(StringComparer.Ordinal);
        foreach (var fileTasks in tasks.GroupBy(t => t.DataFile))
        {
            string path = Path.Combine(dataDir, fileTasks.Key);
            foreach (var (name, docs) in LoadFile(path, fileTasks.ToArray()))
                result[name] = docs;
        }
        return result;
    }

    /// <summary>Reads one file for the given tasks (all must share it); a task that claims no row is an error.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<EvalDocument>> LoadFile(string path, IReadOnlyList<EvalTask> tasks)
    {
        if (!File.Exists(path))
            throw new EvaluationException($"data file not found for task(s) {string.Join(", ", tasks.Select(t => t.Name).Take(3))}{(tasks.Count > 3 ? ", …" : "")}", path);
        var docs = tasks.ToDictionary(t => t.Name, _ => new List<EvalDocument>(), StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0) throw new EvaluationException("empty line", path, lineNumber);
            try
            {
                using var json = JsonDocument.Parse(line);
                foreach (var task in tasks)
                {
                    var doc = task.ToDocument(json.RootElement);
                    if (doc is null) continue;
                    doc.Validate();
                    docs[task.Name].Add(doc);
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
            {
                throw new EvaluationException($"malformed row: {e.Message}", path, lineNumber, e);
            }
        }
        foreach (var (name, list) in docs)
            if (list.Count == 0) throw new EvaluationException($"no rows for task {name}", path);
        return docs.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<EvalDocument>)kv.Value, StringComparer.Ordinal);
    }
}
