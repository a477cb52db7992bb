using System.Globalization;

namespace Prem.Llm.MpiHost;

/// <summary>The host's command line: a mode followed by --name value pairs.</summary>
internal sealed class HostArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public HostArgs(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("usage: Prem.Llm.MpiHost <allreduce|train|trainer|reference-cache|bench-allreduce|bench-step|bench-trainer|memory-step> [--name value]...");
        Mode = args[0];
        for (int i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--name value' at argument {i}: '{args[i]}'");
            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string Mode { get; }

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
