using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

/// <summary>Locates the evaluation data in the repository and compares rendered requests with goldens.</summary>
public static class EvalTestData
{
    /// <summary>The repository root (the folder with Prem.Llm.sln), found upwards from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>tests/Prem.Llm.Tests/Data/eval (golden files and slices).</summary>
    public static string SliceDir => Path.Combine(RepoRoot, "tests", "Prem.Llm.Tests", "Data", "eval");

    /// <summary>data/eval (the full normalized sets).</summary>
    public static string FullDir => Path.Combine(RepoRoot, "data", "eval");

    /// <summary>Asserts that every golden row of <paramref name="goldenTask"/> equals the document the tasks render from <paramref name="dataDir"/>.</summary>
    public static int AssertMatchesGolden(IReadOnlyList<EvalTask> tasks, string goldenTask, string dataDir)
    {
        var docs = TaskDataLoader.Load(tasks, dataDir).Values.SelectMany(d => d).ToDictionary(d => d.Id);
        int rows = 0;
        foreach (var line in File.ReadLines(Path.Combine(SliceDir, goldenTask, "lm_eval_0shot_golden.jsonl")))
        {
            using var json = JsonDocument.Parse(line);
            var golden = json.RootElement;
            var doc = docs[golden.GetProperty("id").GetString()!];
            Assert.Equal(Strings(golden, "contexts"), doc.Contexts);
            Assert.Equal(Strings(golden, "continuations"), doc.Continuations);
            Assert.Equal(golden.GetProperty("label").GetInt32(), doc.Gold);
            if (golden.TryGetProperty("acc_norm_char_len", out var lengths))
                Assert.Equal(lengths.EnumerateArray().Select(e => e.GetInt32()).ToArray(), doc.NormLengths);
            else
                Assert.Null(doc.NormLengths);
            rows++;
        }
        return rows;
    }

    private static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Prem.Llm.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Prem.Llm.sln not found above " + AppContext.BaseDirectory);
    }
}
