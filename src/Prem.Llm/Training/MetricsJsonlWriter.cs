using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prem.Llm.Training;

/// <summary>
/// Appends one JSON object per line to <c>metrics.jsonl</c>: logged steps (<c>step</c>, <c>epoch</c>,
/// <c>loss</c>, <c>lr</c>, <c>grad_norm</c>, <c>tokens_per_s</c>, <c>elapsed_s</c> and the objective's
/// metrics) and validations (<c>val/loss</c>, <c>val/perplexity</c>). Each line is flushed so a
/// crashed run keeps what it logged.
/// </summary>
internal sealed class MetricsJsonlWriter : IProgress<TrainingUpdate>, IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>
    /// Opens (appending) <paramref name="path"/>; with <paramref name="keepThroughStep"/>, first drops the rows past that step
    /// (a resumed run rewrites them; 0 empties the file) and any torn last line, so the steps never go backwards.
    /// </summary>
    public MetricsJsonlWriter(string path, long? keepThroughStep = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        if (keepThroughStep is long keep && File.Exists(path)) Truncate(path, keep);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Report(TrainingUpdate value)
    {
        var line = new JsonObject { ["step"] = value.Step, ["epoch"] = value.Epoch };
        if (value.Kind == TrainingUpdateKind.Step)
        {
            line["loss"] = Number(value.Loss);
            line["lr"] = value.LearningRate;
            line["grad_norm"] = Number(value.GradientNorm);
            line["tokens_per_s"] = Math.Round(value.TokensPerSecond, 1);
            line["elapsed_s"] = Math.Round(value.Elapsed.TotalSeconds, 3);
            foreach (var (k, v) in value.Metrics) if (k != "loss") line[k] = Number(v);
        }
        else if (value.Kind == TrainingUpdateKind.Validation)
            foreach (var (k, v) in value.Metrics) line["val/" + k] = Number(v);
        else if (value.Kind == TrainingUpdateKind.SkippedStep)
            line["skipped_steps"] = value.SkippedSteps;
        else return;
        _writer.WriteLine(line.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    static void Truncate(string path, long keepThroughStep)
    {
        var kept = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            long? step = null;
            try { step = JsonNode.Parse(line)?["step"]?.GetValue<long>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { }
            if (step is not long s || s > keepThroughStep) break;
            kept.Add(line);
        }
        string temp = path + ".tmp";
        File.WriteAllLines(temp, kept);
        File.Move(temp, path, overwrite: true);
    }

    // JSON has no NaN or infinity: write them as strings so the line stays valid.
    static JsonNode Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
