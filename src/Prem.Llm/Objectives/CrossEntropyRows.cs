using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Prem.Llm.Data;
using Prem.Llm.Native;
using Prem.Llm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// Cross-entropy over rows of logits in one fused pass per row: the row's loss
/// (max + ln Σ exp(x − max) − x[target], exact at any probability), whether its argmax is the target,
/// and, in place over the logits, its gradient softmax(x) − onehot(target) (zero on ignored rows).
/// For bfloat16 logits the row is widened once into a float32 scratch row that stays in cache, so
/// float32 probabilities for the chunk never exist in memory. Written by hand because LibTorch needs
/// five passes over the chunk for the same results (softmax, gather, argmax, scatter, convert).
/// </summary>
internal static class CrossEntropyRows
{
    /// <summary>True when <paramref name="logits"/> is a contiguous 2-D float32 or bfloat16 CPU tensor.</summary>
    public static bool Applies(Tensor logits) =>
        logits.dim() == 2 && CpuKernels.Apply(logits, ScalarType.Float32, ScalarType.BFloat16);

    /// <summary>
    /// Loss sum over rows whose target ≠ −100 and the number of those rows whose (first) argmax is the
    /// target; when <paramref name="writeGradient"/>, each row of <paramref name="logits"/> is replaced by
    /// d loss / d logits in the logits' dtype. Row r of the logits has target
    /// <paramref name="targets"/>[<paramref name="firstRow"/> + r] (a chunk of a larger batch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A target is neither −100 nor a valid class; the
    /// message names its row in <paramref name="targets"/>.</exception>
    public static (double LossSum, long Correct) Apply(Tensor logits, long[] targets, int firstRow, bool writeGradient)
    {
        if (!Applies(logits)) throw new ArgumentException($"Expected a contiguous 2-D float32 or bfloat16 CPU tensor, got {logits.dtype} on {logits.device}.", nameof(logits));
        int rows = checked((int)logits.shape[0]);
        int vocab = checked((int)logits.shape[1]);
        if (firstRow < 0 || (long)firstRow + rows > targets.Length)
            throw new ArgumentException($"{rows} rows from row {firstRow} do not fit {targets.Length} targets.", nameof(targets));
        for (int r = firstRow; r < firstRow + rows; r++)
            if (targets[r] != TrainingBatch.IgnoreIndex && (ulong)targets[r] >= (ulong)vocab)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targets[r]} at row {r} is outside [0, {vocab}) and not {TrainingBatch.IgnoreIndex}.");

        bool bf16 = logits.dtype == ScalarType.BFloat16;
        var data = TensorMemory.DataPointer(logits);
        // As many workers as LibTorch's intra-op threads, each over a contiguous block of rows.
        int workers = Math.Clamp(get_num_threads(), 1, Math.Max(1, rows));
        var partial = new (double Loss, long Correct)[workers];
        if (workers == 1) partial[0] = Block(data, bf16, vocab, targets, firstRow, 0, rows, writeGradient);
        else
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                int start = (int)((long)rows * w / workers), end = (int)((long)rows * (w + 1) / workers);
                partial[w] = Block(data, bf16, vocab, targets, firstRow, start, end, writeGradient);
            });
        return (partial.Sum(p => p.Loss), partial.Sum(p => p.Correct));
    }

    private static unsafe (double Loss, long Correct) Block(IntPtr data, bool bf16, int vocab, long[] targets, int firstRow, int start, int end, bool writeGradient)
    {
        double loss = 0;
        long correct = 0;
        float[]? rented = bf16 ? ArrayPool<float>.Shared.Rent(vocab) : null;
        try
        {
            for (int r = start; r < end; r++)
            {
                long target = targets[firstRow + r];
                Span<float> row;
                Span<ushort> words = default;
                if (bf16)
                {
                    words = new Span<ushort>((ushort*)data + (long)r * vocab, vocab);
                    if (target == TrainingBatch.IgnoreIndex)
                    {
                        if (writeGradient) words.Clear();
                        continue;
                    }
                    row = rented.AsSpan(0, vocab);
                    BFloat16Bits.ToSingle(words, row);
                }
                else
                {
                    row = new Span<float>((float*)data + (long)r * vocab, vocab);
                    if (target == TrainingBatch.IgnoreIndex)
                    {
                        if (writeGradient) row.Clear();
                        continue;
                    }
                }
                // Max then the first index holding it: TensorPrimitives.IndexOfMax is 7× slower than both.
                float max = TensorPrimitives.Max(row);
                float picked = row[(int)target];
                if (picked == max && FirstIndexOf(row, max) == target) correct++;
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp(row, row);
                float sum = TensorPrimitives.Sum(row);
                loss += max + Math.Log(sum) - picked;
                if (!writeGradient) continue;
                float inverse = 1f / sum;
                // softmax − onehot: the target's entry is formed in float32 before any rounding.
                row[(int)target] -= sum;
                if (bf16) BFloat16Bits.FromSingle(row, words, inverse);
                else TensorPrimitives.Multiply(row, inverse, row);
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
        return (loss, correct);
    }

    /// <summary>The first index of <paramref name="value"/> in <paramref name="values"/>, or −1 (always for NaN).</summary>
    internal static int FirstIndexOf(ReadOnlySpan<float> values, float value)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var blocks = MemoryMarshal.Cast<float, Vector512<float>>(values);
            var wanted = Vector512.Create(value);
            int k = 0;
            while (k < blocks.Length && !Vector512.EqualsAny(blocks[k], wanted)) k++;
            i = k * Vector512<float>.Count;
        }
        else if (Vector.IsHardwareAccelerated)
        {
            var blocks = MemoryMarshal.Cast<float, Vector<float>>(values);
            var wanted = new Vector<float>(value);
            int k = 0;
            while (k < blocks.Length && !Vector.EqualsAny(blocks[k], wanted)) k++;
            i = k * Vector<float>.Count;
        }
        // The block that matched (or the tail), element by element.
        for (; i < values.Length; i++)
            if (values[i] == value) return i;
        return -1;
    }
}
