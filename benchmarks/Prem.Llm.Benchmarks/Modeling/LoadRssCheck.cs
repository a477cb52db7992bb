using System.Diagnostics;
using System.Globalization;
using Prem.Llm.Modeling;

namespace Prem.Llm.Benchmarks.Modeling;

/// <summary>
/// Not a BenchmarkDotNet benchmark: the peak anonymous (not file-backed) memory of loading the
/// <see cref="LoadFolder"/> model, measured in a fresh child process per case so nothing else the
/// process did counts. The child samples <c>RssAnon</c> of <c>/proc/self/status</c> every millisecond
/// while it works (Linux reports no peak for RssAnon; VmHWM counts mapped library pages too).
/// Run: <c>dotnet run -c Release -- load-rss [folder]</c>.
/// </summary>
public static class LoadRssCheck
{
    public static int Run(string[] args)
    {
        string directory = LoadFolder.Ensure(args.Length > 0 ? args[0] : null);
        long weights = LoadFolder.WeightBytes(directory);
        Console.WriteLine($"folder {directory}: {weights / 1e9:F2} GB of safetensors");
        foreach (var what in new[] { "raw", "load" })
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            // Under `dotnet Prem.Llm.Benchmarks.dll` the process is the host: name the assembly again.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(LoadRssCheck).Assembly.Location);
            start.ArgumentList.Add("load-rss-child");
            start.ArgumentList.Add(what);
            start.ArgumentList.Add(directory);
            using var child = Process.Start(start)!;
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            var fields = output.Trim().Split(' ');
            long before = long.Parse(fields[0], CultureInfo.InvariantCulture), peak = long.Parse(fields[1], CultureInfo.InvariantCulture);
            double seconds = double.Parse(fields[2], CultureInfo.InvariantCulture);
            Console.WriteLine($"{what,-5} anon RSS before {before / 1e6,8:F0} MB, peak {peak / 1e6,8:F0} MB, " +
                $"peak/weights {peak / (double)weights:F3}, (peak-before)/weights {(peak - before) / (double)weights:F3}, {seconds:F2} s");
        }
        return 0;
    }

    /// <summary>The child: prints "anonBefore peakAnon seconds" for one case.</summary>
    public static int Child(string[] args)
    {
        string what = args[0], directory = args[1];
        _ = TorchSharp.torch.ones(1); // load LibTorch before the baseline sample
        long before = RssAnon();
        long peak = before;
        bool done = false;
        var sampler = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                long now = RssAnon();
                if (now > Interlocked.Read(ref peak)) Interlocked.Exchange(ref peak, now);
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        sampler.Start();
        var clock = Stopwatch.StartNew();
        if (what == "raw")
        {
            unsafe
            {
                long bytes = LoadFolder.WeightBytes(directory);
                void* memory = System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes);
                LoadFolder.ReadAll(directory, (byte*)memory, bytes);
                peak = Math.Max(peak, RssAnon());
                System.Runtime.InteropServices.NativeMemory.Free(memory);
            }
        }
        else
        {
            using var model = LlamaForCausalLM.FromPretrained(directory);
            peak = Math.Max(peak, RssAnon());
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref done, true);
        sampler.Join();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{before} {Interlocked.Read(ref peak)} {seconds}"));
        return 0;
    }

    private static long RssAnon()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("/proc/self/status has no RssAnon line.");
    }
}
