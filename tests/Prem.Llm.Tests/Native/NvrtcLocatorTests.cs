using Prem.Llm.Native;

namespace Prem.Llm.Tests.Native;

public class NvrtcLocatorTests
{
    [Fact]
    public void EnvironmentVariableFolderComesFirst()
    {
        var folder = Directory.CreateTempSubdirectory("nvrtc-probe").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "libnvrtc.so.12"), "");
            File.WriteAllText(Path.Combine(folder, "libnvrtc.so.13"), "");
            File.WriteAllText(Path.Combine(folder, "libnvrtc-builtins.so.13.0"), "");
            var previous = Environment.GetEnvironmentVariable(NvrtcLocator.NvrtcPathVariable);
            Environment.SetEnvironmentVariable(NvrtcLocator.NvrtcPathVariable, folder);
            try
            {
                var candidates = NvrtcLocator.NvrtcCandidates().Take(2).ToList();
                Assert.Equal([Path.Combine(folder, "libnvrtc.so.13"), Path.Combine(folder, "libnvrtc.so.12")], candidates);
            }
            finally
            {
                Environment.SetEnvironmentVariable(NvrtcLocator.NvrtcPathVariable, previous);
            }
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void BuiltinsAreNotNvrtc()
    {
        var folder = Directory.CreateTempSubdirectory("nvrtc-files").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "libnvrtc-builtins.so.12.4"), "");
            Assert.Empty(NvrtcLocator.NvrtcFilesIn(folder));
            Assert.Empty(NvrtcLocator.NvrtcFilesIn(Path.Combine(folder, "missing")));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void FindsTheRepositoryToolsFolderFromBelow()
    {
        var root = Directory.CreateTempSubdirectory("repo").FullName;
        try
        {
            var lib = Directory.CreateDirectory(Path.Combine(root, ".tools", "nvrtc", "usr", "lib", "x86_64-linux-gnu")).FullName;
            var deep = Directory.CreateDirectory(Path.Combine(root, "tests", "bin", "Debug")).FullName;
            Assert.Equal(lib, NvrtcLocator.FindRepositoryTools(deep));
            Assert.Null(NvrtcLocator.FindRepositoryTools("/"));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void SearchesToolkitAndPipFolders()
    {
        var previous = Environment.GetEnvironmentVariable("CUDA_PATH");
        Environment.SetEnvironmentVariable("CUDA_PATH", "/opt/my-cuda");
        try
        {
            var folders = NvrtcLocator.NvrtcFolders().ToList();
            Assert.Equal("/opt/my-cuda/lib64", folders[0]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CUDA_PATH", previous);
        }
    }
}
