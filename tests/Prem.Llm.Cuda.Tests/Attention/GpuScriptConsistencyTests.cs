using System.Runtime.InteropServices;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Cuda.Runtime;

namespace Prem.Llm.Cuda.Tests.Attention;

/// <summary>The Python GPU checks (benchmarks/gpu) pack the kernels' argument and concatenate the
/// kernel files themselves; they cannot run here, so their layout is pinned to ours here.</summary>
public class GpuScriptConsistencyTests
{
    static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Prem.Llm.sln")))
                return Path.Combine([dir.FullName, .. parts]);
        throw new FileNotFoundException("repository root (Prem.Llm.sln) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void PythonPacksTheSameStruct()
    {
        var script = File.ReadAllText(RepoFile("benchmarks", "gpu", "flash_cupy.py"));
        // 13 pointers, 6 int64 strides, 8 int32, 2 float32, in FlashParams order.
        Assert.Contains("\"<13Q6q8i2f\"", script);
        Assert.Equal(13 * 8 + 6 * 8 + 8 * 4 + 2 * 4, Marshal.SizeOf<FlashParams>());
        Assert.Equal(13, typeof(FlashParams).GetFields().Count(f => f.FieldType == typeof(ulong)));
        Assert.Equal(6, typeof(FlashParams).GetFields().Count(f => f.FieldType == typeof(long)));
        Assert.Equal(8, typeof(FlashParams).GetFields().Count(f => f.FieldType == typeof(int)));
        Assert.Equal(2, typeof(FlashParams).GetFields().Count(f => f.FieldType == typeof(float)));
    }

    [Fact]
    public void PythonCompilesTheSameFilesInTheSameOrder()
    {
        var script = File.ReadAllText(RepoFile("benchmarks", "gpu", "flash_cupy.py"));
        var list = "FILES = [" + string.Join(", ", KernelSource.FlashAttentionFiles.Select(f => $"\"{f}\"")) + "]";
        Assert.Contains(list, script);
    }
}
