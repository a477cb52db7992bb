using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class WritableFolderTests
{
    [Fact]
    public void A_writable_folder_passes_and_keeps_what_it_held()
    {
        string dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "kept.txt"), "x");
        Assert.Null(WritableFolder.Problem(dir));
        Assert.Equal([Path.Combine(dir, "kept.txt")], Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Missing_folders_are_made_for_the_probe_and_removed_again()
    {
        string dir = TestData.TempDirectory();
        Assert.Null(WritableFolder.Problem(Path.Combine(dir, "a", "b", "c")));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void A_file_in_the_way_is_the_problem()
    {
        string dir = TestData.TempDirectory();
        string file = Path.Combine(dir, "file");
        File.WriteAllText(file, "x");
        Assert.NotNull(WritableFolder.Problem(Path.Combine(file, "out")));
        Assert.NotNull(WritableFolder.Problem(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(dir));
    }
}
