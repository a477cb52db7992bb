using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

public class Int8PanelsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(16, 32)]
    [InlineData(37, 77)]   // a partial last panel and a short last block
    [InlineData(48, 2048)]
    public void Rows_read_back_as_written_and_dequantised(int rows, int cols)
    {
        int blocks = (cols + 31) / 32;
        var panels = Int8Panels.Allocate(rows, cols);
        var random = new Random(rows * 1000 + cols);
        var quants = Enumerable.Range(0, rows * cols).Select(_ => (sbyte)random.Next(-127, 128)).ToArray(); // the quantiser's range
        var scales = Enumerable.Range(0, rows * blocks).Select(i => i * 0.25f + 1).ToArray();
        for (int r = 0; r < rows; r++) panels.SetRow(r, quants.AsSpan(r * cols, cols), scales.AsSpan(r * blocks, blocks));
        var row = new float[cols + 3];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < cols; k++)
                Assert.Equal((quants[r * cols + k], scales[r * blocks + k / 32]), panels.Get(r, k));
            // Dequantised (whole blocks gathered, a short last one byte by byte), and nothing past the row's end.
            Array.Fill(row, float.NaN);
            panels.ReadRow(r, row.AsSpan(0, cols));
            for (int k = 0; k < cols; k++) Assert.Equal(quants[r * cols + k] * scales[r * blocks + k / 32], row[k]);
            Assert.All(row[cols..], v => Assert.True(float.IsNaN(v)));
        }
        Assert.Equal((rows + 15) / 16, panels.Panels);
        Assert.Equal((long)panels.Panels * blocks * (16 * 4 + 16 * 32), panels.Bytes);
    }

    [Fact]
    public unsafe void The_layout_is_the_kernels_vectors_on_64_byte_boundaries()
    {
        const int rows = 17, cols = 64;
        var panels = Int8Panels.Allocate(rows, cols);
        Assert.Equal(0, (long)panels.Start % 64);
        var quants = Enumerable.Range(0, cols).Select(k => (sbyte)(k - 32)).ToArray();
        panels.SetRow(16, quants, [2f, 3f]); // second panel, lane 0
        panels.SetRow(5, quants, [4f, 5f]);  // first panel, lane 5
        // Block 1 of panel 1: scales, then vector g holds columns 32 + 4g … 32 + 4g + 3 at lane·4, as w + 128.
        byte* block = panels.Start + (1 * 2 + 1) * Int8Panels.BlockBytes;
        Assert.Equal(3f, ((float*)block)[0]);
        for (int g = 0; g < 8; g++)
            for (int i = 0; i < 4; i++) Assert.Equal(quants[32 + 4 * g + i] + 128, block[64 + g * 64 + i]);
        // Block 0 of panel 0, lane 5.
        block = panels.Start;
        Assert.Equal(4f, ((float*)block)[5]);
        Assert.Equal(quants[6] + 128, block[64 + 64 + 5 * 4 + 2]); // column 6: vector 1, byte 2
    }
}
