using System.Text.Json;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Writes one JSON line per request so any reported number can be traced: task, document id, choice,
/// gold, context and continuation strings, their token ids, log-likelihood, is-greedy, truncation.
/// </summary>
internal static class RequestDump
{
    /// <summary>Writes the requests of <paramref name="tasks"/>, in run order, to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<TaskResult> tasks, IReadOnlyList<(string Context, string Continuation)> strings, IReadOnlyList<TokenizedRequest> requests, int maxLength)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        int next = 0;
        foreach (var task in tasks)
            foreach (var doc in task.Documents)
                for (int c = 0; c < doc.Document.ChoiceCount; c++, next++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("task", task.Task.Name);
                    writer.WriteString("doc_id", doc.Document.Id);
                    writer.WriteNumber("choice", c);
                    writer.WriteNumber("gold", doc.Document.Gold);
                    writer.WriteString("context", strings[next].Context);
                    writer.WriteString("continuation", strings[next].Continuation);
                    WriteIds(writer, "context_ids", requests[next].Context);
                    WriteIds(writer, "continuation_ids", requests[next].Continuation);
                    writer.WriteNumber("loglikelihood", doc.LogLikelihoods[c]);
                    writer.WriteBoolean("is_greedy", doc.IsGreedy[c]);
                    writer.WriteBoolean("truncated", requests[next].IsTruncated(maxLength));
                    writer.WriteEndObject();
                    writer.Flush();
                    writer.Reset();
                    stream.WriteByte((byte)'\n');
                }
    }

    private static void WriteIds(Utf8JsonWriter writer, string name, IReadOnlyList<int> ids)
    {
        writer.WriteStartArray(name);
        foreach (var id in ids) writer.WriteNumberValue(id);
        writer.WriteEndArray();
    }
}
