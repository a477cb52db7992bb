using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

public unsafe class ProjectionJobTests
{
    // A matrix of rows × cols at bytesPerWeight (all ChunkRows reads); never multiplied.
    sealed class Sized(double bytesPerWeight) : CpuMatrix
    {
        public override long Bytes => (long)(Rows * (long)Cols * bytesPerWeight);
        public override void Multiply(float* x, int xStride, int tokens, float* y, int yStride, int rowStart, int rowEnd, PreparedInput? prepared = null) =>
            throw new NotSupportedException();
        public override void ReadRow(int row, Span<float> destination) => throw new NotSupportedException();
    }

    static Sized Shape(int rows, int cols, double bytesPerWeight = 4) => new(bytesPerWeight) { Rows = rows, Cols = cols };

    [Theory]
    [InlineData(2048, 768, 2, 4.0)] // the 110M shape's gate in float32
    [InlineData(2048, 768, 2, 1.125)] // in int8 (a 4-byte scale per 32 weights)
    [InlineData(768, 2048, 2, 1.125)] // its down projection
    [InlineData(32000, 768, 2, 2.0)] // its head in bf16
    [InlineData(5632, 2048, 4, 1.125)] // the 1.1B shape's gate, four workers
    [InlineData(20, 64, 2, 4.0)] // smaller than two panels
    public void Chunks_are_whole_panels_of_at_most_the_byte_budget_and_a_batch_gets_more_of_them(int rows, int cols, int workers, double bytesPerWeight)
    {
        var matrix = Shape(rows, cols, bytesPerWeight);
        foreach (int tokens in new[] { 1, 2, 3, 4, 8, 64 })
        {
            int chunk = ProjectionJob.ChunkRows(matrix, workers, tokens);
            Assert.Equal(0, chunk % CpuMatrix.PanelRows);
            Assert.True(chunk >= CpuMatrix.PanelRows);
            // Never more than the byte budget rounded up to a panel.
            long bytesPerRow = matrix.Bytes / rows;
            Assert.True(chunk <= Math.Max(CpuMatrix.PanelRows, ProjectionJob.ChunkBytes / bytesPerRow) + CpuMatrix.PanelRows - 1);
            // Enough chunks to share: about 3 per worker for one to three tokens, 8 from four on (less only where panels run out).
            int perWorker = tokens >= 4 ? 8 : 3;
            int chunks = (rows + chunk - 1) / chunk;
            if (rows >= perWorker * workers * 2 * CpuMatrix.PanelRows) Assert.True(chunks >= perWorker * workers - 1, $"{chunks} chunks at {tokens} tokens");
        }
    }

    [Fact]
    public void The_110M_int8_gate_at_eight_tokens_splits_evenly_between_two_workers()
    {
        var gate = Shape(2048, 768, 1.125);
        // One token: ~256 KB per chunk, 303 rows → 304, 7 chunks (at a batch, 4 for one worker and 3 for the other).
        Assert.Equal(304, ProjectionJob.ChunkRows(gate, 2, 1));
        // Eight tokens: 16 chunks of 128 rows, 8 each.
        Assert.Equal(128, ProjectionJob.ChunkRows(gate, 2, 8));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    public void Every_row_of_every_matrix_lands_once_at_its_offset_with_its_bias(int tokens)
    {
        const int cols = 24;
        int[] rows = [100, 37, 16];
        var random = new Random(tokens);
        var weights = rows.Select(r => Enumerable.Range(0, r * cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        var biases = rows.Select(r => Enumerable.Range(0, r).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var x = Enumerable.Range(0, tokens * cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        int yStride = rows.Sum() + 3;
        var y = new float[tokens * yStride];
        Array.Fill(y, float.NaN);
        using var pool = new WorkerPool(2);
        var job = new ProjectionJob();
        fixed (float* w0 = weights[0], w1 = weights[1], w2 = weights[2], px = x, py = y)
        {
            float*[] data = [w0, w1, w2];
            job.Begin(px, cols, tokens, py, yStride);
            int offset = 0;
            for (int m = 0; m < 3; m++)
            {
                job.Add(new Fp32Matrix(data[m]) { Rows = rows[m], Cols = cols }, biases[m], offset, pool.Workers);
                offset += rows[m];
            }
            Assert.Equal(rows.Sum(r => (r + ProjectionJob.ChunkRows(Shape(r, cols), 2, tokens) - 1) / ProjectionJob.ChunkRows(Shape(r, cols), 2, tokens)), job.Chunks);
            pool.Run(job, job.Chunks);
        }
        for (int t = 0; t < tokens; t++)
        {
            int offset = 0;
            for (int m = 0; m < 3; m++)
            {
                for (int r = 0; r < rows[m]; r++)
                {
                    double expected = biases[m][r];
                    for (int k = 0; k < cols; k++) expected += (double)weights[m][r * cols + k] * x[t * cols + k];
                    Assert.Equal(expected, y[t * yStride + offset + r], 1e-5);
                }
                offset += rows[m];
            }
            for (int i = rows.Sum(); i < yStride; i++) Assert.True(float.IsNaN(y[t * yStride + i]), "a column past the matrices was written");
        }
    }
}
