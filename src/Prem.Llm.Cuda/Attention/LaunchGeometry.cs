namespace Prem.Llm.Cuda.Attention;

/// <summary>A kernel launch: grid, block and dynamic shared memory.</summary>
/// <param name="Grid">Blocks in x, y, z.</param>
/// <param name="Block">Threads in x (y = z = 1).</param>
/// <param name="SharedBytes">Dynamic shared memory per block.</param>
internal readonly record struct LaunchGeometry((uint X, uint Y, uint Z) Grid, uint Block, uint SharedBytes)
{
    /// <summary>Rows per tile in both kernels (BLOCK_M = BLOCK_N in flash_common.cu).</summary>
    public const int BlockRows = 64;
    /// <summary>Threads per block (NUM_THREADS).</summary>
    public const int Threads = 128;
    /// <summary>Padding of each shared-memory row, in elements (PAD).</summary>
    public const int Pad = 8;

    /// <summary>Forward: one block per (query tile, sequence, query head); shared memory holds the
    /// Q tile and two buffers each of K and V.</summary>
    public static LaunchGeometry Forward(AttentionProblem p) => new(
        (Tiles(p.MaxSeqlenQ), (uint)p.NumSequences, (uint)p.HeadsQ), Threads,
        (uint)(5 * BlockRows * (p.HeadDim + Pad) * sizeof(ushort)));

    /// <summary>Backward: one block per (key tile, sequence, KV head); shared memory holds K, V, Q, dO,
    /// the dSᵀ tile and the tile's LSE and delta.</summary>
    public static LaunchGeometry Backward(AttentionProblem p) => new(
        (Tiles(p.MaxSeqlenK), (uint)p.NumSequences, (uint)p.HeadsKv), Threads,
        (uint)(4 * BlockRows * (p.HeadDim + Pad) * sizeof(ushort) + BlockRows * (BlockRows + Pad) * sizeof(ushort) + 2 * BlockRows * sizeof(float)));

    /// <summary>The delta pre-pass: one warp per (query token, head).</summary>
    public static LaunchGeometry DotDoO(AttentionProblem p) =>
        new((CeilDiv((long)p.TotalQ * p.HeadsQ, Threads / 32), 1, 1), Threads, 0);

    /// <summary>The dQ conversion: one thread per element.</summary>
    public static LaunchGeometry ConvertDq(AttentionProblem p) =>
        new((CeilDiv((long)p.TotalQ * p.HeadsQ * p.HeadDim, Threads), 1, 1), Threads, 0);

    static uint Tiles(int length) => CeilDiv(length, BlockRows);

    static uint CeilDiv(long n, long d) => checked((uint)Math.Max(1, (n + d - 1) / d));
}
