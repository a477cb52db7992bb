using System.Globalization;
using System.Text.RegularExpressions;

namespace Prem.Llm.Cuda.Runtime;

/// <summary>Registers, spills and shared memory of one kernel, as ptxas reports them with -v.</summary>
/// <param name="Kernel">The kernel's (extern "C") name.</param>
/// <param name="Registers">Registers per thread.</param>
/// <param name="SpillStoreBytes">Bytes spilled to local memory (stores).</param>
/// <param name="SpillLoadBytes">Bytes reloaded from local memory.</param>
/// <param name="StackBytes">Stack frame per thread.</param>
internal sealed partial record KernelResourceUsage(string Kernel, int Registers, int SpillStoreBytes, int SpillLoadBytes, int StackBytes)
{
    /// <summary>Reads ptxas's "Compiling entry function", "N bytes stack frame, N bytes spill stores,
    /// N bytes spill loads" and "Used N registers" lines from an NVRTC log.</summary>
    public static IReadOnlyDictionary<string, KernelResourceUsage> Parse(string log)
    {
        var result = new Dictionary<string, KernelResourceUsage>();
        string? kernel = null;
        int stack = 0, stores = 0, loads = 0;
        foreach (var line in log.Split('\n'))
        {
            var entry = EntryLine().Match(line);
            if (entry.Success) { kernel = entry.Groups[1].Value; stack = stores = loads = 0; continue; }
            var frame = FrameLine().Match(line);
            if (frame.Success)
            {
                stack = Number(frame.Groups[1]); stores = Number(frame.Groups[2]); loads = Number(frame.Groups[3]);
                continue;
            }
            var used = RegistersLine().Match(line);
            if (used.Success && kernel is not null)
            {
                result[kernel] = new KernelResourceUsage(kernel, Number(used.Groups[1]), stores, loads, stack);
                kernel = null;
            }
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Kernel}: {Registers} registers, {SpillStoreBytes} B spill stores, {SpillLoadBytes} B spill loads, {StackBytes} B stack";

    static int Number(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Compiling entry function '([A-Za-z0-9_]+)'")]
    private static partial Regex EntryLine();

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex FrameLine();

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex RegistersLine();
}
