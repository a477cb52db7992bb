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

    /// <summary>Opens (appending) <paramref name="path"/>.</summary>
    public MetricsJsonlWriter(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
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

    // JSON has no NaN or infinity: write them as strings so the line stays valid.
    static JsonNode Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
