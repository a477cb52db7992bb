using System.Globalization;
using System.Text.Json;

namespace Prem.Llm.DeviceCheck;

/// <summary>Every check's outcome, printed as it happens and written as one JSON file at the end.</summary>
internal sealed class Report
{
    readonly List<Dictionary<string, object?>> _rows = [];

    public int Failures { get; private set; }

    /// <summary>Runs <paramref name="check"/>; an exception is a failure with its message, never a crash.</summary>
    public void Check(string name, Func<Dictionary<string, object?>> check)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Dictionary<string, object?> row;
        try
        {
            row = check();
            row.TryAdd("ok", true);
        }
        catch (Exception e)
        {
            row = new() { ["ok"] = false, ["error"] = $"{e.GetType().Name}: {e.Message}" };
        }
        row["check"] = name;
        row["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        if (row["ok"] is false) Failures++;
        _rows.Add(row);
        Console.WriteLine($"{(row["ok"] is true ? "PASS" : "FAIL")} {name}: {string.Join(", ", row.Where(kv => kv.Key is not ("ok" or "check")).Select(kv => $"{kv.Key}={Format(kv.Value)}"))}");
    }

    public void Write(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(_rows, new JsonSerializerOptions { WriteIndented = true }));

    static string Format(object? v) => v switch
    {
        double d => d.ToString("G5", CultureInfo.InvariantCulture),
        IEnumerable<double> xs => "[" + string.Join(" ", xs.Select(x => x.ToString("F4", CultureInfo.InvariantCulture))) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null",
    };
}
