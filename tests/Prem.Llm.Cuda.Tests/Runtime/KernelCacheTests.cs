using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Runtime;

public class KernelCacheTests : IClassFixture<ToolReport>
{
    const string Source = "extern \"C\" __global__ void twice(float* x) { x[threadIdx.x] *= 2.f; }";

    [Fact]
    public void KeyChangesWithEveryInput()
    {
        var key = KernelCache.Key(Source, "sm_80", ["-O3"], "12.4");
        Assert.Equal(key, KernelCache.Key(Source, "sm_80", ["-O3"], "12.4"));
        Assert.NotEqual(key, KernelCache.Key(Source + " ", "sm_80", ["-O3"], "12.4"));
        Assert.NotEqual(key, KernelCache.Key(Source, "sm_90a", ["-O3"], "12.4"));
        Assert.NotEqual(key, KernelCache.Key(Source, "sm_80", [], "12.4"));
        Assert.NotEqual(key, KernelCache.Key(Source, "sm_80", ["-O3"], "13.0"));
    }

    [SkippableFact]
    public void SecondRequestIsServedFromDisk()
    {
        ToolRequirement.Nvrtc();
        var folder = Directory.CreateTempSubdirectory("kernel-cache").FullName;
        try
        {
            var cache = new KernelCache(folder);
            var first = cache.GetOrCompile(Source, "twice", "sm_80");
            var file = Assert.Single(Directory.GetFiles(folder));
            Assert.StartsWith("twice-sm_80-", Path.GetFileName(file));
            Assert.Equal(first, File.ReadAllBytes(file));

            // Prove the second call reads the file: overwrite it and expect the new bytes back.
            File.WriteAllBytes(file, [1, 2, 3]);
            Assert.Equal([1, 2, 3], cache.GetOrCompile(Source, "twice", "sm_80"));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void DefaultFolderFollowsTheEnvironment()
    {
        var previous = Environment.GetEnvironmentVariable(KernelCache.FolderVariable);
        Environment.SetEnvironmentVariable(KernelCache.FolderVariable, "/tmp/prem-cache-test");
        try
        {
            Assert.Equal("/tmp/prem-cache-test", KernelCache.Default.Folder);
        }
        finally
        {
            Environment.SetEnvironmentVariable(KernelCache.FolderVariable, previous);
        }
    }
}
