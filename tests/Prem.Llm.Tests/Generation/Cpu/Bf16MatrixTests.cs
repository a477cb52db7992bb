using System.Runtime.CompilerServices;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Numerics;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public unsafe class Bf16MatrixTests
{
    [Fact]
    public void A_copy_rounds_ties_to_even_and_multiplies_as_a_view_of_the_same_bits()
    {
        const int rows = 7, cols = 45, tokens = 3;
        var random = new Random(3);
        var w = Enumerable.Range(0, rows * cols).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        w[0] = BitConverter.UInt32BitsToSingle(0x3F808000); // exactly halfway between two bf16: rounds to the even one, 0x3F80
        var copy = Bf16Matrix.Copy(rows, cols, (r, row) => w.AsSpan(r * cols, cols).CopyTo(row));
        Assert.True(copy.IsCopy);
        var row = new float[cols];
        copy.ReadRow(0, row);
        Assert.Equal(1f, row[0]);
        var bits = GC.AllocateArray<ushort>(rows * cols, pinned: true);
        BFloat16Bits.FromSingle(w, bits);
        var view = new Bf16Matrix((ushort*)Unsafe.AsPointer(ref bits[0])) { Rows = rows, Cols = cols };
        Assert.False(view.IsCopy);
        for (int r = 0; r < rows; r++)
        {
            copy.ReadRow(r, row);
            for (int k = 0; k < cols; k++) Assert.Equal(BFloat16Bits.ToSingle(bits[r * cols + k]), row[k]);
        }
        var x = Enumerable.Range(0, tokens * cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var a = new float[tokens * rows];
        var b = new float[tokens * rows];
        fixed (float* px = x, pa = a, pb = b)
        {
            copy.Multiply(px, cols, tokens, pa, rows, 0, rows);
            view.Multiply(px, cols, tokens, pb, rows, 0, rows);
        }
        Assert.Equal(b, a);
    }
}
