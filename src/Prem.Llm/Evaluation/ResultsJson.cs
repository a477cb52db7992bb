using System.Text.Json;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Writes <see cref="EvalResults"/> in the shape of lm-eval's results file: <c>results</c> (per task
/// and group: <c>alias</c>, <c>acc,none</c>, <c>acc_stderr,none</c>, <c>acc_norm,none</c>…),
/// <c>groups</c>, <c>group_subtasks</c>, <c>configs</c>, <c>versions</c>, <c>n-shot</c>,
/// <c>higher_is_better</c>, <c>n-samples</c>, <c>config</c>. A missing stderr is <c>"N/A"</c>, as in lm-eval.
/// </summary>
public static class ResultsJson
{
    /// <summary>Writes to <paramref name="stream"/>; <paramref name="model"/> names the model in <c>config</c>.</summary>
    public static void Write(Stream stream, EvalResults results, string model)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartObject("results");
        foreach (var g in results.Groups) WriteGroup(w, g);
        foreach (var t in results.Tasks) WriteTask(w, t);
        w.WriteEndObject();
        w.WriteStartObject("groups");
        foreach (var g in results.Groups) WriteGroup(w, g);
        w.WriteEndObject();
        w.WriteStartObject("group_subtasks");
        foreach (var g in results.Groups) WriteStrings(w, g.Name, g.Subgroups);
        foreach (var t in results.Tasks.Where(t => t.Task.Group is null)) WriteStrings(w, t.Task.Name, []);
        w.WriteEndObject();
        w.WriteStartObject("configs");
        foreach (var t in results.Tasks) WriteConfig(w, t.Task);
        w.WriteEndObject();
        w.WriteStartObject("versions");
        foreach (var g in results.Groups) w.WriteNumber(g.Name, g.Version);
        foreach (var t in results.Tasks) w.WriteNumber(t.Task.Name, t.Task.Version);
        w.WriteEndObject();
        w.WriteStartObject("n-shot");
        foreach (var t in results.Tasks) w.WriteNumber(t.Task.Name, 0);
        w.WriteEndObject();
        w.WriteStartObject("higher_is_better");
        foreach (var t in results.Tasks)
        {
            w.WriteStartObject(t.Task.Name);
            w.WriteBoolean("acc", true);
            if (t.Task.HasAccNorm) w.WriteBoolean("acc_norm", true);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("n-samples");
        foreach (var t in results.Tasks)
        {
            w.WriteStartObject(t.Task.Name);
            w.WriteNumber("original", t.OriginalCount);
            w.WriteNumber("effective", t.Documents.Count);
            w.WriteNumber("truncated_requests", t.TruncatedRequests);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("config");
        w.WriteString("model", model);
        w.WriteNumber("max_length", results.MaxLength);
        if (results.Limit is { } limit) w.WriteNumber("limit", limit); else w.WriteNull("limit");
        if (results.SampleSeed is { } seed) w.WriteNumber("sample_seed", seed); else w.WriteNull("sample_seed");
        w.WriteEndObject();
        w.WriteString("total_evaluation_time_seconds", results.Elapsed.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    /// <summary>The JSON text of <see cref="Write"/>.</summary>
    public static string ToJson(EvalResults results, string model)
    {
        using var stream = new MemoryStream();
        Write(stream, results, model);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteTask(Utf8JsonWriter w, TaskResult t)
    {
        w.WriteStartObject(t.Task.Name);
        w.WriteString("alias", t.Task is MmluTask m ? "  - " + m.Subject : t.Task.Name);
        w.WriteNumber("acc,none", t.Acc);
        WriteStderr(w, "acc_stderr,none", t.AccStderr);
        if (t.AccNorm is { } norm)
        {
            w.WriteNumber("acc_norm,none", norm);
            WriteStderr(w, "acc_norm_stderr,none", t.AccNormStderr);
        }
        w.WriteEndObject();
    }

    private static void WriteGroup(Utf8JsonWriter w, GroupResult g)
    {
        w.WriteStartObject(g.Name);
        w.WriteString("alias", g.Name == "mmlu" ? "mmlu" : " - " + g.Name["mmlu_".Length..]);
        w.WriteNumber("acc,none", g.Acc);
        WriteStderr(w, "acc_stderr,none", g.AccStderr);
        w.WriteNumber("sample_len", g.Size);
        w.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter w, EvalTask task)
    {
        w.WriteStartObject(task.Name);
        w.WriteString("task", task.Name);
        if (task.Group is { } group) w.WriteString("tag", group + "_tasks");
        w.WriteString("dataset_path", task.DatasetPath);
        if (task.DatasetName is { } name) w.WriteString("dataset_name", name); else w.WriteNull("dataset_name");
        w.WriteString("test_split", task.Split);
        w.WriteString("doc_to_text", task.DocToText);
        if (task is MmluTask mmlu) w.WriteString("description", mmlu.Description);
        w.WriteString("target_delimiter", EvalTask.TargetDelimiter);
        w.WriteNumber("num_fewshot", 0);
        w.WriteString("output_type", "multiple_choice");
        w.WriteStartArray("metric_list");
        foreach (var metric in task.HasAccNorm ? new[] { "acc", "acc_norm" } : ["acc"])
        {
            w.WriteStartObject();
            w.WriteString("metric", metric);
            w.WriteString("aggregation", "mean");
            w.WriteBoolean("higher_is_better", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("metadata");
        w.WriteNumber("version", task.Version);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStderr(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v); else w.WriteString(name, "N/A");
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
