using static TorchSharp.torch;

namespace Prem.Llm.Distributed;

/// <summary>Averages and small conveniences over <see cref="ICommunicator"/>.</summary>
internal static class CommunicatorExtensions
{
    /// <summary>Replaces <paramref name="buffer"/> by its mean over all ranks.</summary>
    public static void AllReduceAverage(this ICommunicator communicator, Span<float> buffer)
    {
        communicator.AllReduce(buffer, ReduceOp.Sum);
        if (communicator.Size == 1) return;
        float scale = 1f / communicator.Size;
        for (int i = 0; i < buffer.Length; i++) buffer[i] *= scale;
    }

    /// <summary>Replaces <paramref name="tensor"/> by its mean over all ranks, in place.</summary>
    public static void AllReduceAverage(this ICommunicator communicator, Tensor tensor)
    {
        communicator.AllReduce(tensor, ReduceOp.Sum);
        if (communicator.Size == 1) return;
        using var noGrad = no_grad();
        tensor.div_(communicator.Size);
    }

    /// <summary>One number reduced over all ranks (e.g. token counts, losses), in float64.</summary>
    public static double AllReduceValue(this ICommunicator communicator, double value, ReduceOp op = ReduceOp.Sum)
    {
        Span<double> one = [value];
        communicator.AllReduce(one, op);
        return one[0];
    }
}
