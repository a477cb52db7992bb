using System.Diagnostics;
using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

/// <summary>
/// Feeds mutated GGUF files to the reader — open, read every metadata value the importer reads (config and
/// tokenizer keys), dequantise every tensor — and checks the hardening promises per input: the only exception
/// is <see cref="GgufFormatException"/>; managed allocation stays within 4 MB + 64 × the input size; no input
/// takes longer than <see cref="PerInputLimit"/>; a hang (60 s) is caught by a watchdog that saves the input
/// and ends the process. Input i depends only on (seed, i). Run by <c>GgufFuzzerTests</c> (a seeded sample)
/// and by <c>tests/Prem.Llm.Fuzz</c> (<c>gguf</c>).
/// </summary>
public sealed class GgufFuzzer(string workDirectory, int seed)
{
    /// <summary>Inputs slower than this fail the run.</summary>
    public TimeSpan PerInputLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The outcome of a run.</summary>
    public sealed record Report(int Inputs, int Accepted, int Rejected, TimeSpan Elapsed, TimeSpan Slowest, long MaxAllocatedBytes, IReadOnlyList<string> Failures);

    /// <summary>Managed bytes one input may allocate.</summary>
    public static long AllocationBound(int inputLength) => 4_000_000 + 64L * inputLength;

    /// <summary>The seeds: a small file with every value kind and tensor type, and a tiny llama model with a tokenizer.</summary>
    internal static List<byte[]> Seeds() => [GgufTestFiles.Small(), GgufTestFiles.Small(alignment: 64), GgufTestFiles.TinyLlama()];

    /// <summary>Runs inputs <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public Report Run(int count, int first = 0, Action<string>? progress = null)
    {
        Directory.CreateDirectory(workDirectory);
        var seeds = Seeds();
        var failures = new List<string>();
        int accepted = 0, rejected = 0;
        long maxAllocated = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        int current = -1;
        byte[] currentInput = [];
        var started = Stopwatch.StartNew();
        using var watchdog = new Timer(_ =>
        {
            if (Volatile.Read(ref current) >= 0 && started.Elapsed > TimeSpan.FromSeconds(60))
            {
                string saved = Path.Combine(workDirectory, $"hang-{seed}-{current}.bin");
                File.WriteAllBytes(saved, currentInput);
                Environment.FailFast($"gguf fuzz input {current} (seed {seed}) hung; saved to {saved}");
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        string path = Path.Combine(workDirectory, "input.gguf");
        for (int i = first; i < first + count; i++)
        {
            var random = new Random(FuzzSeed.For(seed, i));
            var input = GgufMutator.Mutate(seeds[random.Next(seeds.Count)], random, out string how);
            File.WriteAllBytes(path, input);
            currentInput = input;
            started.Restart();
            Volatile.Write(ref current, i);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                ReadEverything(path);
                accepted++;
            }
            catch (GgufFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                failures.Add($"input {i} ({how}): {e.GetType().Name}: {e.Message}");
                File.WriteAllBytes(Path.Combine(workDirectory, $"failure-{seed}-{i}.bin"), input);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var elapsed = started.Elapsed;
            Volatile.Write(ref current, -1);
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (elapsed > slowest) slowest = elapsed;
            if (allocated > AllocationBound(input.Length)) failures.Add($"input {i} ({how}): allocated {allocated} bytes for a {input.Length}-byte input");
            if (elapsed > PerInputLimit) failures.Add($"input {i} ({how}): took {elapsed.TotalMilliseconds:F0} ms");
            if (progress is not null && (i - first + 1) % 10_000 == 0)
                progress($"{i - first + 1} inputs, {accepted} accepted, {rejected} rejected, {failures.Count} failures, {total.Elapsed.TotalSeconds:F0} s");
        }
        return new Report(count, accepted, rejected, total.Elapsed, slowest, maxAllocated, failures);
    }

    /// <summary>What an import reads without building the model: header, config, tokenizer keys, every tensor.</summary>
    static void ReadEverything(string path)
    {
        using var file = GgufFile.Open(path);
        foreach (var t in file.Tensors)
            if (GgmlTypes.IsSupported(t.Type)) file.ReadFloats(t);
        if (file.Metadata.ContainsKey("general.architecture") && GgufMetadata.String(file, "general.architecture") == "llama")
        {
            GgufImporter.ReadConfig(file);
            GgufTokenizerFolder.Write(file, Path.Combine(Path.GetDirectoryName(path)!, "tokenizer"));
        }
    }
}
