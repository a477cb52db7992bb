using System.Runtime.CompilerServices;
namespace Prem.Llm.Generation.Cpu;

/// <summary>
/// Up to three projections of the same input in one dispatch (q, k and v share a pass): each
/// matrix's rows are cut into chunks of whole 16-row panels, and matrix m writes its outputs at column
/// offset m of every output row. Reused for every layer; no allocation per run.
/// </summary>
internal sealed unsafe class ProjectionJob : IPoolJob
{
    readonly CpuMatrix?[] _matrices = new CpuMatrix?[3];
    readonly float[]?[] _biases = new float[]?[3];
    readonly int[] _outputOffsets = new int[3];
    readonly int[] _firstChunk = new int[4];
    readonly int[] _chunkRows = new int[3];
    int _count;
    float* _x;
    int _xStride;
    int _tokens;
    float* _y;
    int _yStride;
    PreparedInput? _prepared;

    /// <summary>Bytes of weights a chunk aims at.</summary>
    public const int ChunkBytes = 256 << 10;

    /// <summary>
    /// Rows per chunk of <paramref name="matrix"/> for <paramref name="tokens"/> tokens: about <see cref="ChunkBytes"/> of
    /// weights, and about three chunks per worker for fewer than four tokens, eight from four on (so a worker the OS
    /// deschedules, or one left with the last chunk, holds back little), in whole <see cref="CpuMatrix.PanelRows"/>-row
    /// panels (the panel formats need it; the others take any rows).
    /// </summary>
    /// <remarks>
    /// Sized in bytes, not weights: the workers claim chunks in turn, so each one's reads jump ahead at every
    /// chunk, and the hardware prefetcher restarts its stream. The kernel-smoke tool (one thread reading
    /// every other chunk of a bf16 matrix) read 4.5 G weights per CPU-second with 16 KB chunks, 6.2 with
    /// 32 KB, 7.4 with 64 KB and 9–10 from 128 KB on, as fast as one pass: chunks of 16K weights, as the
    /// engine first cut them, were 16 KB of int8 and 32 KB of bf16. A batch does tokens times the arithmetic per
    /// byte, so its chunks take longer and the last one costs more: at the 110M shape in int8, eight tokens, the MLP's
    /// gate and up rows came in 7 chunks, four for one worker and three for the other.
    /// </remarks>
    public static int ChunkRows(CpuMatrix matrix, int workers, int tokens)
    {
        long bytesPerRow = Math.Max(1, matrix.Bytes / matrix.Rows);
        const int panel = CpuMatrix.PanelRows;
        int byBytes = (int)Math.Max(panel, ChunkBytes / bytesPerRow);
        int perWorker = tokens >= 4 ? 8 : 3;
        int byBalance = Math.Max(panel, matrix.Rows / (perWorker * workers));
        return (Math.Min(byBytes, byBalance) + panel - 1) / panel * panel;
    }

    /// <summary>
    /// Sets the input [tokens, xStride] (and its int8 quantisation for int8 matrices, if made) and output
    /// [tokens, yStride]; then add the matrices.
    /// </summary>
    public void Begin(float* x, int xStride, int tokens, float* y, int yStride, PreparedInput? prepared = null)
    {
        _prepared = prepared;
        _x = x;
        _xStride = xStride;
        _tokens = tokens;
        _y = y;
        _yStride = yStride;
        _count = 0;
        _firstChunk[0] = 0;
    }

    /// <summary>Adds <paramref name="matrix"/> (and its bias) writing at column <paramref name="outputOffset"/>.</summary>
    public void Add(CpuMatrix matrix, float[]? bias, int outputOffset, int workers)
    {
        int m = _count++;
        _matrices[m] = matrix;
        _biases[m] = bias;
        _outputOffsets[m] = outputOffset;
        _chunkRows[m] = ChunkRows(matrix, workers, _tokens);
        _firstChunk[m + 1] = _firstChunk[m] + (matrix.Rows + _chunkRows[m] - 1) / _chunkRows[m];
    }

    /// <summary>Chunks of the matrices added so far.</summary>
    public int Chunks => _firstChunk[_count];

    /// <summary>Multiply-adds of the matrices added so far (to decide whether threads pay off).</summary>
    public long Work
    {
        get
        {
            long work = 0;
            for (int m = 0; m < _count; m++) work += (long)_matrices[m]!.Rows * _matrices[m]!.Cols * _tokens;
            return work;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int chunk, int worker)
    {
        int m = 0;
        while (chunk >= _firstChunk[m + 1]) m++;
        var matrix = _matrices[m]!;
        int start = (chunk - _firstChunk[m]) * _chunkRows[m];
        int end = Math.Min(matrix.Rows, start + _chunkRows[m]);
        float* y = _y + _outputOffsets[m];
        matrix.Multiply(_x, _xStride, _tokens, y, _yStride, start, end, _prepared);
        if (_biases[m] is { } bias)
            for (int t = 0; t < _tokens; t++)
                for (int r = start; r < end; r++) y[(long)t * _yStride + r] += bias[r];
    }
}
