using BenchmarkDotNet.Attributes;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>
/// Loading a TinyLlama-1.1B-shaped bf16 folder (2.2 GB, random weights written by SavePretrained)
/// with <see cref="LlamaForCausalLM.FromPretrained"/>, against reading the same files' bytes with plain
/// <see cref="RandomAccess"/> reads (the baseline: the most any loader can do from the page cache).
/// The folder is built once under the temp folder and kept between the benchmark processes
/// (<see cref="LoadFolder.Ensure"/>); peak memory is measured by <c>load-rss</c> (<see cref="LoadRssCheck"/>).
/// </summary>
public class LoadBenchmarks
{
    private string _directory = "";
    private byte[] _buffer = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = LoadFolder.Ensure();
        _buffer = new byte[16 << 20];
    }

    [Benchmark(Baseline = true, Description = "raw RandomAccess read of the folder's files")]
    public long RawRead() => LoadFolder.ReadAll(_directory, _buffer);

    [Benchmark(Description = "raw read into freshly allocated memory of the files' size")]
    public unsafe long RawReadFresh()
    {
        long bytes = LoadFolder.WeightBytes(_directory);
        void* memory = System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes);
        try
        {
            return LoadFolder.ReadAll(_directory, (byte*)memory, bytes);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(memory);
        }
    }

    [Benchmark(Description = "FromPretrained (bf16 as stored)")]
    public long FromPretrained()
    {
        using var model = LlamaForCausalLM.FromPretrained(_directory);
        return model.Config.NumHiddenLayers;
    }

    // Mapped weights are paged in when first used: this is the load plus that deferred cost.
    [Benchmark(Description = "FromPretrained + one 1-token forward (touches every weight)")]
    public long FromPretrainedThenForward()
    {
        using var model = LlamaForCausalLM.FromPretrained(_directory);
        using var noGrad = no_grad();
        using var ids = tensor(new long[] { 1 }).unsqueeze(0);
        using var logits = model.forward(ids);
        return logits.shape[^1];
    }
}

/// <summary>The 1.1B-shaped bf16 model folder the load benchmarks read.</summary>
public static class LoadFolder
{
    /// <summary>The folder (built on first use; a marker file says it is complete).</summary>
    public static string Ensure(string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "prem-bench-load-1.1b");
        string done = Path.Combine(directory, ".complete");
        if (File.Exists(done)) return directory;
        using (var model = new LlamaForCausalLM(LlamaConfig.Prem1B, dtype: ScalarType.BFloat16, seed: 1))
            model.SavePretrained(directory);
        File.WriteAllText(done, "");
        return directory;
    }

    /// <summary>Bytes of the folder's safetensors files.</summary>
    public static long WeightBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*.safetensors").Sum(f => new FileInfo(f).Length);

    /// <summary>Reads every safetensors file of <paramref name="directory"/> through <paramref name="buffer"/>.</summary>
    public static long ReadAll(string directory, byte[] buffer)
    {
        long total = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "*.safetensors").Order(StringComparer.Ordinal))
        {
            using var handle = File.OpenHandle(path);
            long offset = 0, n;
            while ((n = RandomAccess.Read(handle, buffer, offset)) > 0) offset += n;
            total += offset;
        }
        return total;
    }

    /// <summary>Reads every safetensors file of <paramref name="directory"/> into <paramref name="memory"/>, one after the other.</summary>
    public static unsafe long ReadAll(string directory, byte* memory, long capacity)
    {
        long total = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "*.safetensors").Order(StringComparer.Ordinal))
        {
            using var handle = File.OpenHandle(path);
            long offset = 0, n;
            while (total < capacity && (n = RandomAccess.Read(handle, new Span<byte>(memory + total, (int)Math.Min(1 << 30, capacity - total)), offset)) > 0)
            {
                offset += n;
                total += n;
            }
        }
        return total;
    }
}
