namespace Prem.Llm.Cli;

/// <summary>Checks an output path before any work starts, so a long run cannot end in "cannot write".</summary>
public static class OutputFile
{
    /// <summary>
    /// Creates <paramref name="path"/>'s folder when it is missing (as <c>prepare</c> and <c>pretrain</c> do) and
    /// proves it writable with a probe file; a failure is a <see cref="CliError"/> naming <paramref name="flag"/>.
    /// Returns <paramref name="path"/>.
    /// </summary>
    public static string Check(string path, string flag)
    {
        if (Directory.Exists(path)) throw new CliError($"{flag}: {path} is a folder; give a file path.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string probe = Path.Combine(folder, $".prem-write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliError($"{flag}: cannot write {path}: {e.Message}");
        }
        return path;
    }
}
