using Prem.Llm.Checkpoints;

namespace Prem.Llm.Tests.Checkpoints;

public class AtomicFileTests
{
    [Fact]
    public void Failure_LeavesTheOldFileAndNoTemporary()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        var path = Path.Combine(dir, "f.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new, half"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Success_ReplacesTheFileAndCreatesTheFolder()
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "sub", "f.bin");
        AtomicFile.Write(path, s => s.Write("one"u8));
        AtomicFile.Write(path, s => s.Write("two"u8));
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
