using System.Diagnostics;
using Prem.Llm.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

/// <summary>
/// Feeds mutated safetensors files (9 in 10 inputs) and index files (1 in 10) to the readers and
/// checks the hardening promises for each input: the only exception is
/// <see cref="SafeTensorsFormatException"/>; managed allocation stays within a bound proportional to
/// the input; no input takes longer than <see cref="PerInputLimit"/>, and a hang is caught by a
/// watchdog that saves the input and ends the process. Input i is fully determined by (seed, i).
/// Run by <c>SafeTensorsFuzzerTests</c> (a CI sample) and by the <c>tests/Prem.Llm.Fuzz</c> console.
/// </summary>
public sealed class SafeTensorsFuzzer(string workDirectory, int seed)
{
    /// <summary>Inputs slower than this fail the run (generous: CI machines are shared).</summary>
    public TimeSpan PerInputLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An input still running after this is a hang: the watchdog saves it and fails fast.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The outcome of a run.</summary>
    public sealed record Report(int Inputs, int Accepted, int Rejected, TimeSpan Elapsed, TimeSpan Slowest,
        long MaxAllocatedBytes, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, int> RejectionKinds);

    /// <summary>Managed bytes one input may allocate: a constant plus a multiple of its size.</summary>
    public static long AllocationBound(int inputLength) => 4_000_000 + 64L * inputLength;

    /// <summary>Runs inputs <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public Report Run(int count, int first = 0, Action<string>? progress = null)
    {
        Directory.CreateDirectory(workDirectory);
        var seeds = Seeds(workDirectory);
        var index = File.ReadAllBytes(SeedIndex(workDirectory));
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>();
        int accepted = 0, rejected = 0;
        long maxAllocated = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        var current = -1;
        byte[] currentInput = [];
        var started = Stopwatch.StartNew();
        using var watchdog = new Timer(_ =>
        {
            if (Volatile.Read(ref current) >= 0 && started.Elapsed > HangLimit)
            {
                var saved = Path.Combine(workDirectory, $"hang-{seed}-{current}.bin");
                File.WriteAllBytes(saved, currentInput);
                Environment.FailFast($"safetensors fuzz input {current} (seed {seed}) hung for {started.Elapsed}; saved to {saved}");
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        var path = Path.Combine(workDirectory, "input.safetensors");
        var indexPath = Path.Combine(workDirectory, "index", SafeTensorsIndex.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);
        for (var i = first; i < first + count; i++)
        {
            var random = new Random(FuzzSeed.For(seed, i));
            var isIndex = i % 10 == 9;
            var original = isIndex ? index : seeds[random.Next(seeds.Count)];
            var input = SafeTensorsMutator.Mutate(original, random, !isIndex, out var how);
            File.WriteAllBytes(isIndex ? indexPath : path, input);

            currentInput = input;
            started.Restart();
            Volatile.Write(ref current, i);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                if (isIndex)
                {
                    SafeTensorsIndex.Read(indexPath);
                }
                else
                {
                    ReadEverything(path);
                }
                accepted++;
            }
            catch (SafeTensorsFormatException e)
            {
                rejected++;
                var kind = Kind(e.Problem);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
            catch (Exception e)
            {
                failures.Add($"input {i} ({how}): {e.GetType().Name}: {e.Message}");
                File.WriteAllBytes(Path.Combine(workDirectory, $"failure-{seed}-{i}.bin"), input);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var elapsed = started.Elapsed;
            Volatile.Write(ref current, -1);

            maxAllocated = Math.Max(maxAllocated, allocated);
            slowest = elapsed > slowest ? elapsed : slowest;
            if (allocated > AllocationBound(input.Length))
            {
                failures.Add($"input {i} ({how}): allocated {allocated} bytes for a {input.Length}-byte input");
            }
            if (elapsed > PerInputLimit)
            {
                failures.Add($"input {i} ({how}): took {elapsed.TotalMilliseconds:F0} ms");
            }
            if (progress is not null && (i - first + 1) % 10_000 == 0)
            {
                progress($"{i - first + 1} inputs, {accepted} accepted, {rejected} rejected, {failures.Count} failures, {total.Elapsed.TotalSeconds:F0} s");
            }
        }
        return new Report(count, accepted, rejected, total.Elapsed, slowest, maxAllocated, failures, kinds);
    }

    /// <summary>A rejection message with its numbers and quoted names blanked, to count which checks fire.</summary>
    private static string Kind(string problem)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(problem, @"'[^']*'|\[[^\]]*\]|-?\d+", "_");
        var cut = text.IndexOfAny([':', '(']);
        return cut > 0 ? text[..cut].Trim() : text.Trim();
    }

    /// <summary>Opens the file and reads every tensor, as stored and (for floats) converted to float32.</summary>
    private static void ReadEverything(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        foreach (var info in file.Tensors)
        {
            using var t = file.Read(info.Name);
            if (t.is_floating_point())
            {
                using var f = file.Read(info.Name, ScalarType.Float32);
            }
        }
    }

    private static string SeedIndex(string dir)
    {
        var path = Path.Combine(dir, "seed-index.json");
        var map = new Dictionary<string, string>
        {
            ["model.embed_tokens.weight"] = "model-00001-of-00002.safetensors",
            ["model.norm.weight"] = "model-00002-of-00002.safetensors",
            ["lm_head.weight"] = "model-00002-of-00002.safetensors",
        };
        new SafeTensorsIndex(4096, map).Write(path);
        return path;
    }

    /// <summary>Small valid files written by <see cref="SafeTensorsWriter"/>, covering every dtype and odd shapes.</summary>
    private static List<byte[]> Seeds(string dir)
    {
        var random = new Random(42);
        var sets = new List<Dictionary<string, Tensor>>
        {
            new()
            {
                ["w"] = CheckpointTestFiles.RandomBits([3, 4], ScalarType.Float32, random),
                ["b"] = CheckpointTestFiles.RandomBits([5], ScalarType.BFloat16, random),
                ["h"] = CheckpointTestFiles.RandomBits([2, 2, 2], ScalarType.Float16, random),
                ["ids"] = torch.arange(3, ScalarType.Int64),
                ["mask"] = torch.tensor(new[] { true, false, true }),
                ["empty"] = torch.empty(0, ScalarType.Byte),
                ["scalar"] = torch.tensor(2.5),
                ["i8"] = torch.tensor(new sbyte[] { -1, 2 }),
                ["i16"] = torch.tensor(new short[] { 300 }),
                ["i32"] = torch.tensor(new[] { 7, 8 }),
            },
            new()
            {
                ["model.embed_tokens.weight"] = CheckpointTestFiles.RandomBits([8, 4], ScalarType.BFloat16, random),
                ["model.layers.0.self_attn.q_proj.weight"] = CheckpointTestFiles.RandomBits([4, 4], ScalarType.BFloat16, random),
                ["model.layers.0.input_layernorm.weight"] = CheckpointTestFiles.RandomBits([4], ScalarType.BFloat16, random),
                ["model.norm.weight"] = CheckpointTestFiles.RandomBits([4], ScalarType.BFloat16, random),
            },
            new() { ["x"] = torch.randn(7, 3) },
            new()
            {
                // Zero-element tensors: their shapes can be rewritten without breaking the byte layout.
                ["e0"] = torch.empty(0), ["e1"] = torch.empty([2, 0], ScalarType.BFloat16),
                ["e2"] = torch.empty([0, 3, 0], ScalarType.Int64), ["e3"] = torch.empty([0], ScalarType.Bool),
                ["s"] = torch.tensor(1.0f),
            },
            new(),
        };
        var files = new List<byte[]>();
        for (var i = 0; i < sets.Count; i++)
        {
            var path = Path.Combine(dir, $"seed-{i}.safetensors");
            SafeTensorsWriter.Write(path, sets[i], i == 2 ? new Dictionary<string, string> { ["format"] = "pt", ["k"] = "v" } : null);
            files.Add(File.ReadAllBytes(path));
            foreach (var t in sets[i].Values)
            {
                t.Dispose();
            }
        }
        return files;
    }
}
