using Prem.Llm.Cuda.Interop;

namespace Prem.Llm.Cuda.Tests.Interop;

public class NativeLibraryLocatorTests
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
            var previous = Environment.GetEnvironmentVariable(NativeLibraryLocator.NvrtcPathVariable);
            Environment.SetEnvironmentVariable(NativeLibraryLocator.NvrtcPathVariable, folder);
            try
            {
                var candidates = NativeLibraryLocator.NvrtcCandidates().Take(2).ToList();
                Assert.Equal([Path.Combine(folder, "libnvrtc.so.13"), Path.Combine(folder, "libnvrtc.so.12")], candidates);
            }
            finally
            {
                Environment.SetEnvironmentVariable(NativeLibraryLocator.NvrtcPathVariable, previous);
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
            Assert.Empty(NativeLibraryLocator.NvrtcFilesIn(folder));
            Assert.Empty(NativeLibraryLocator.NvrtcFilesIn(Path.Combine(folder, "missing")));
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
            Assert.Equal(lib, NativeLibraryLocator.FindRepositoryTools(deep));
            Assert.Null(NativeLibraryLocator.FindRepositoryTools("/"));
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
            var folders = NativeLibraryLocator.NvrtcFolders().ToList();
            Assert.Equal("/opt/my-cuda/lib64", folders[0]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CUDA_PATH", previous);
        }
        Assert.Equal(["libcuda.so.1", "libcuda.so"], NativeLibraryLocator.DriverCandidates());
    }
}
