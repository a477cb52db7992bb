using System.Text.Json;
using Prem.Llm.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.MpiHost;

/// <summary>
/// Runs each collective on inputs that depend on the rank and writes what came back, so the test can
/// compare with sums it computes itself.
/// </summary>
internal static class CollectiveCheck
{
    public static void Run(ICommunicator communicator, string output)
    {
        int r = communicator.Rank;
        // Inputs: element i of rank r is r * 1000 + i (+0.25 for a fraction that float32 holds exactly).
        var sum = Enumerable.Range(0, 1000).Select(i => r * 1000f + i + 0.25f).ToArray();
        var max = (float[])sum.Clone();
        var min = (float[])sum.Clone();
        communicator.AllReduce(sum.AsSpan(), ReduceOp.Sum);
        communicator.AllReduce(max.AsSpan(), ReduceOp.Max);
        communicator.AllReduce(min.AsSpan(), ReduceOp.Min);
        var dbl = Enumerable.Range(0, 10).Select(i => (r + 1) * Math.Pow(10, -i)).ToArray();
        communicator.AllReduce(dbl.AsSpan());
        var average = Enumerable.Range(0, 8).Select(i => (float)(r * 8 + i)).ToArray();
        communicator.AllReduceAverage(average);

        // bf16 tensor: values r + i/4 are exact in bf16 for small i.
        using var bf = arange(16, ScalarType.Float32).div(4).add(r).to(ScalarType.BFloat16);
        communicator.AllReduce(bf);
        // A strided (non-contiguous) float32 view.
        using var grid = arange(12, ScalarType.Float32).reshape(3, 4).add(100 * r);
        using var column = grid.select(1, 1);
        communicator.AllReduce(column);

        var bytes = new byte[300];
        if (r == communicator.Size - 1) for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7 + 3);
        communicator.Broadcast(bytes.AsSpan(), communicator.Size - 1);
        using var broadcastTensor = full(5, (double)(r + 42), ScalarType.Float64);
        communicator.Broadcast(broadcastTensor, 0);
        communicator.Barrier();

        var result = new
        {
            rank = r,
            size = communicator.Size,
            local_rank = communicator.LocalRank,
            backend = communicator.Backend,
            sum,
            max,
            min,
            dbl,
            average,
            bf16 = bf.to(ScalarType.Float32).data<float>().ToArray(),
            grid = grid.data<float>().ToArray(),
            bytes = bytes.Select(b => (int)b).ToArray(),
            broadcast = broadcastTensor.data<double>().ToArray(),
        };
        File.WriteAllText(Path.Combine(output, $"rank{r}.json"), JsonSerializer.Serialize(result));
    }
}
