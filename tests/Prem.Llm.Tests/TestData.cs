namespace Prem.Llm.Tests;

/// <summary>Paths of the reference data copied next to the test assembly (tests/Prem.Llm.Tests/Data).</summary>
internal static class TestData
{
    public static string Root => System.IO.Path.Combine(AppContext.BaseDirectory, "Data");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>This process's temp root, deleted when the process exits.</summary>
    private static readonly Lazy<string> _tempRoot = new(() =>
    {
        string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "prem-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            // A file still open at exit: the system's temp cleaning will take it.
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return root;
    });

    /// <summary>A fresh empty folder under this test run's temp root (removed when the run ends).</summary>
    public static string TempDirectory()
    {
        string dir = System.IO.Path.Combine(_tempRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A path for a new file in a fresh folder under this test run's temp root.</summary>
    public static string TempFile(string name = "file") => System.IO.Path.Combine(TempDirectory(), name);
}
