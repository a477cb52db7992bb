using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Prem.Llm.Distributed;

namespace Prem.Llm.MpiHost;

/// <summary>
/// All-reduce bandwidth for float32 buffers of 1–100 MB. Bus bandwidth is NCCL's convention,
/// algorithm bandwidth × 2(N−1)/N: the bytes each rank must send in a ring, comparable across N.
/// </summary>
internal static class AllReduceBandwidth
{
    public static void Run(ICommunicator communicator, HostArgs options, string output)
    {
        var sizes = options.Get("sizes-mb", "1,4,16,64,100").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture));
        int iterations = options.Int("iters", 5);
        var rows = new List<object>();
        foreach (double mb in sizes)
        {
            int count = (int)(mb * 1e6 / sizeof(float));
            var buffer = new float[count];
            Array.Fill(buffer, 1f);
            communicator.AllReduce(buffer.AsSpan());
            communicator.Barrier();
            var times = new List<double>();
            for (int i = 0; i < iterations; i++)
            {
                var clock = Stopwatch.StartNew();
                communicator.AllReduce(buffer.AsSpan());
                times.Add(clock.Elapsed.TotalSeconds);
            }
            times.Sort();
            double median = times[times.Count / 2];
            double algbw = mb * 1e6 / median / 1e9;
            double busbw = algbw * 2 * (communicator.Size - 1) / communicator.Size;
            rows.Add(new { mb, median_ms = median * 1e3, algbw_gbs = algbw, busbw_gbs = busbw });
            if (communicator.Rank == 0)
                Console.WriteLine($"allreduce {mb,6:0.#} MB  ranks {communicator.Size}  median {median * 1e3,8:0.00} ms  algbw {algbw,6:0.00} GB/s  busbw {busbw,6:0.00} GB/s");
        }
        if (communicator.Rank == 0)
            File.WriteAllText(Path.Combine(output, "allreduce.json"), JsonSerializer.Serialize(new { ranks = communicator.Size, backend = communicator.Backend, rows }));
    }
}
