namespace Prem.Llm.Cli;

/// <summary>Finds the lm-eval task sets for <c>prem eval</c> when <c>--data-dir</c> is not given.</summary>
public static class EvalData
{
    /// <summary>
    /// <paramref name="dataDir"/> when given (it must exist); otherwise the first of <c>data/eval</c> under the
    /// working folder, <c>data/eval</c> next to the tool, and <c>data/eval</c> in a folder above the tool (a
    /// repository checkout). Fails naming the places it looked.
    /// </summary>
    public static string Resolve(string? dataDir)
    {
        if (dataDir is not null)
            return Directory.Exists(dataDir) ? dataDir : throw new CliError($"--data-dir: folder not found: {dataDir}");
        var candidates = new List<string> { Path.Combine("data", "eval") };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "data", "eval"));
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new CliError($"no evaluation data: looked for data/eval here, next to the tool and above it; give --data-dir.");
    }
}
