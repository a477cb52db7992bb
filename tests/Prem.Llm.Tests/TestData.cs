namespace Prem.Llm.Tests;

/// <summary>Paths of the reference data copied next to the test assembly (tests/Prem.Llm.Tests/Data).</summary>
internal static class TestData
{
    public static string Root => System.IO.Path.Combine(AppContext.BaseDirectory, "Data");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string TempDirectory()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "prem-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
