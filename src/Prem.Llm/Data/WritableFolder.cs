namespace Prem.Llm.Data;

/// <summary>
/// Proves an output folder writable before a long job starts (a run folder, a <c>prem prepare</c> output), without
/// leaving anything behind: folders missing on the way are created for a probe file and removed again, so the job
/// still creates its folder only when it starts writing.
/// </summary>
internal static class WritableFolder
{
    /// <summary>Null when a file can be created in <paramref name="folder"/>, else the reason it cannot.</summary>
    public static string? Problem(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var missing = new List<string>();   // deepest first
        for (var d = new DirectoryInfo(Path.GetFullPath(folder)); d is not null && !d.Exists; d = d.Parent) missing.Add(d.FullName);
        string probe = Path.Combine(folder, $".prem-write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
        finally
        {
            foreach (var made in missing)
            {
                try { Directory.Delete(made); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { break; }
            }
        }
    }
}
