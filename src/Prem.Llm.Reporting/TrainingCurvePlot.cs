using System.Text.Json.Nodes;
using Prem.Llm.Training;

namespace Prem.Llm.Reporting;

/// <summary>
/// Draws a run's <c>metrics.jsonl</c> as a PNG: training loss (and validation loss as markers) on the
/// left axis, learning rate on the right, against the step. Use <see cref="Writer"/> to redraw it in
/// the run folder at each validation and at the end of a run.
/// </summary>
public static class TrainingCurvePlot
{
    /// <summary>Renders <paramref name="metricsPath"/> into <paramref name="pngPath"/> (width × height pixels).</summary>
    /// <exception cref="TrainingException">The metrics file is missing or a line is not JSON (the message names file and line).</exception>
    public static void Save(string metricsPath, string pngPath, int width = 900, int height = 500)
    {
        if (!File.Exists(metricsPath)) throw new TrainingException("metrics file not found", metricsPath);
        var steps = new List<double>(); var losses = new List<double>(); var lrs = new List<double>();
        var valSteps = new List<double>(); var valLosses = new List<double>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(metricsPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(line); }
            catch (System.Text.Json.JsonException e) { throw new TrainingException($"line {lineNumber} is not JSON: {e.Message}", metricsPath, e); }
            if (node?["step"] is not JsonValue stepValue) continue;
            double step = stepValue.GetValue<double>();
            if (Finite(node["loss"]) is double loss && Finite(node["lr"]) is double lr)
            {
                steps.Add(step); losses.Add(loss); lrs.Add(lr);
            }
            if (Finite(node["val/loss"]) is double val)
            {
                valSteps.Add(step); valLosses.Add(val);
            }
        }

        var plot = new ScottPlot.Plot();
        if (steps.Count > 0)
        {
            var loss = plot.Add.ScatterLine(steps.ToArray(), losses.ToArray());
            loss.LegendText = "train loss";
            var lr = plot.Add.ScatterLine(steps.ToArray(), lrs.ToArray());
            lr.LegendText = "learning rate";
            lr.Axes.YAxis = plot.Axes.Right;
        }
        if (valSteps.Count > 0)
        {
            var val = plot.Add.ScatterPoints(valSteps.ToArray(), valLosses.ToArray());
            val.LegendText = "validation loss";
            val.MarkerSize = 8;
        }
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "learning rate";
        // The legend goes below the axes, outside the data: inside, it covered the last steps of the curves.
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        plot.SavePng(pngPath, width, height);
    }

    /// <summary>A sink that redraws <c>OUTPUT/curves.png</c> from <c>OUTPUT/metrics.jsonl</c> after validations and at the end.</summary>
    public static IProgress<TrainingUpdate> Writer(string outputDir) => new CurveWriter(outputDir);

    static double? Finite(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : null;

    private sealed class CurveWriter(string outputDir) : IProgress<TrainingUpdate>
    {
        public void Report(TrainingUpdate value)
        {
            if (value.Kind is not (TrainingUpdateKind.Validation or TrainingUpdateKind.Finished)) return;
            var metrics = Path.Combine(outputDir, "metrics.jsonl");
            if (File.Exists(metrics)) Save(metrics, Path.Combine(outputDir, "curves.png"));
        }
    }
}
