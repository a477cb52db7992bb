using System.Runtime.Intrinsics;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

/// <summary>Checks shared by the <see cref="IWeightRows"/> implementations' tests.</summary>
internal static class WeightRowsChecks
{
    /// <summary>
    /// Every load of <paramref name="w"/> ([rows, cols]) returns <paramref name="expected"/>'s elements at the same place:
    /// Load1, Load8 by (row, k) and from a row's start, Load16; a prefetch past the end does not fault.
    /// </summary>
    public static unsafe void LoadsMatch<TRows>(TRows w, float[] expected, int rows, int cols) where TRows : struct, IWeightRows
    {
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < cols; k++) Assert.Equal(expected[r * cols + k], w.Load1(r, k));
            for (int k = 0; k + 8 <= cols; k += 8)
            {
                var vector = Vector256.Create(expected, r * cols + k);
                Assert.Equal(vector, w.Load8(r, k));
                Assert.Equal(vector, TRows.Load8(w.Row(r), k));
            }
            for (int k = 0; k + 16 <= cols; k += 16) Assert.Equal(Vector512.Create(expected, r * cols + k), w.Load16(r, k));
        }
        TRows.Prefetch(w.Row(rows), 4096); // a hint past the end: never faults
    }

    /// <summary>rows × cols values in [−4, 4) from a fixed seed.</summary>
    public static float[] Values(int rows, int cols)
    {
        var random = new Random(5);
        return Enumerable.Range(0, rows * cols).Select(_ => (float)random.NextDouble() * 8 - 4).ToArray();
    }
}
