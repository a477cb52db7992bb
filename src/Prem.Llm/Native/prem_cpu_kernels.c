// The CPU engine's batched dot products in AVX-512 BF16 (VDPBF16PS) and AVX-512 VNNI (VPDPBUSD).
//
// Written by hand because .NET 10 has no intrinsics for these instructions on the CPUs that have them
// without AVX10 (Zen 4, Sapphire Rapids), and they double the multiply-adds per instruction of what
// System.Runtime.Intrinsics reaches (a bf16 weight widened to float32 and one FMA; an int8 pair through
// VPMADDWD). LibTorch's bf16 GEMM (oneDNN) has them, but its per-call cost and OpenMP pool are too heavy
// for a few tokens, and its summation order depends on how many tokens are multiplied at once.
//
// Every output y[t, r] is computed by the same instruction sequence whatever the number of tokens or
// rows in the call: its accumulators, the order of the chunks and the final reduction depend only on the
// number of columns. So a sequence decoded alone and the same sequence in a batch get identical bits.
//
// Built by src/Prem.Llm/Prem.Llm.csproj when a C compiler is present (see NativeCpuKernels.cs), for
// AVX-512 with VNNI; the bf16 functions alone also use AVX512-BF16 (BF16_TARGET), so a CPU with VNNI only
// (Ice Lake, Cascade Lake) runs the int8 kernel. The engine calls each kernel only where the CPU reports
// its extension.
#include <immintrin.h>
#include <stdint.h>

#define INLINE static inline __attribute__((always_inline))
#define BF16_TARGET __attribute__((target("avx512bf16")))

// Batched calls (three tokens or more) spend long enough on each row that the memory stream falls behind:
// measured on a Zen 4 VM, 8 tokens × 768 columns of bf16 read 3.7 G weights/s from memory alone, 5.1 with a
// separate read pass per 256 KB chunk (what the managed kernels do, CacheWarmer) and 7.7 when each row's
// loop first asks for the bytes this far ahead into L2 (32–192 KB ahead all gave 7.6–7.8). Only the call's
// own rows are prefetched: the rows after them are another call's, often on another core.
#define PREFETCH_AHEAD (64 * 1024)

INLINE void prefetch_ahead(const void* start, int64_t bytes, const void* limit)
{
    const char* p = (const char*)start + PREFETCH_AHEAD;
    const char* end = p + bytes < (const char*)limit ? p + bytes : (const char*)limit;
    for (; p < end; p += 64) _mm_prefetch(p, _MM_HINT_T1);
}

// The first PREFETCH_AHEAD bytes of a call's rows, asked for at its start (the rows before them belong to
// another call, often on another core, so nothing prefetched them).
INLINE void prefetch_start(const void* start, const void* limit)
{
    const char* p = (const char*)start;
    const char* end = p + PREFETCH_AHEAD < (const char*)limit ? p + PREFETCH_AHEAD : (const char*)limit;
    for (; p < end; p += 64) _mm_prefetch(p, _MM_HINT_T1);
}

// ---------------------------------------------------------------------------------------------------
// bf16 weights × bf16 activations, float32 accumulation.
// y[t * ys + r] = Σ_k w[r * cols + k] · x[t * xs + k], rows [r0, r1), tokens [0, tokens).
// Columns go in chunks of 32; chunk c adds into accumulator c & 1 of its (row, token); a last partial
// chunk is read with a mask (zeros past the end). The two accumulators are added, then reduced.
// ---------------------------------------------------------------------------------------------------

BF16_TARGET INLINE __m512bh as_bh(__m512i v) { return (__m512bh)v; }

BF16_TARGET INLINE void bf16_block(const uint16_t* w, int64_t cols, const uint16_t* x, int64_t xs, float* y, int64_t ys,
                       const int R, const int T)
{
    __m512 acc0[2][4], acc1[2][4];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc0[r][t] = acc1[r][t] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 64 <= cols; k += 64)
    {
        __m512i w0[2], w1[2];
        for (int r = 0; r < R; r++)
        {
            w0[r] = _mm512_loadu_si512(w + r * cols + k);
            w1[r] = _mm512_loadu_si512(w + r * cols + k + 32);
        }
        for (int t = 0; t < T; t++)
        {
            __m512i x0 = _mm512_loadu_si512(x + t * xs + k), x1 = _mm512_loadu_si512(x + t * xs + k + 32);
            for (int r = 0; r < R; r++)
            {
                acc0[r][t] = _mm512_dpbf16_ps(acc0[r][t], as_bh(w0[r]), as_bh(x0));
                acc1[r][t] = _mm512_dpbf16_ps(acc1[r][t], as_bh(w1[r]), as_bh(x1));
            }
        }
    }
    // At most one whole chunk (parity 0) and one partial chunk (parity 0 or 1) remain.
    int parity = 0;
    while (k < cols)
    {
        int64_t n = cols - k < 32 ? cols - k : 32;
        __mmask32 m = (__mmask32)(n == 32 ? 0xFFFFFFFFu : (1u << n) - 1);
        for (int r = 0; r < R; r++)
        {
            __m512i wv = _mm512_maskz_loadu_epi16(m, w + r * cols + k);
            for (int t = 0; t < T; t++)
            {
                __m512i xv = _mm512_maskz_loadu_epi16(m, x + t * xs + k);
                if (parity == 0) acc0[r][t] = _mm512_dpbf16_ps(acc0[r][t], as_bh(wv), as_bh(xv));
                else acc1[r][t] = _mm512_dpbf16_ps(acc1[r][t], as_bh(wv), as_bh(xv));
            }
        }
        parity ^= 1;
        k += n;
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) y[t * ys + r] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[r][t], acc1[r][t]));
}

// Rows [r0, r1) for T tokens: pairs of rows, then a single one.
BF16_TARGET INLINE void bf16_rows(const uint16_t* w, int64_t cols, const uint16_t* x, int64_t xs, float* y, int64_t ys,
                      int32_t r0, int32_t r1, int prefetch, const int T)
{
    int32_t r = r0;
    for (; r + 2 <= r1; r += 2)
    {
        if (prefetch) prefetch_ahead(w + r * cols, 2 * cols * (int64_t)sizeof(uint16_t), w + r1 * cols);
        bf16_block(w + r * cols, cols, x, xs, y + r, ys, 2, T);
    }
    for (; r < r1; r++) bf16_block(w + r * cols, cols, x, xs, y + r, ys, 1, T);
}

BF16_TARGET void prem_bf16_matmul(const uint16_t* w, int64_t cols, const uint16_t* x, int64_t xs, int32_t tokens,
                      float* y, int64_t ys, int32_t r0, int32_t r1)
{
    if (tokens <= 2)
    {
        // Decode of one or two sequences: one row at a time, each row one sequential stream (memory-bound).
        for (int32_t r = r0; r < r1; r++)
            if (tokens == 1) bf16_block(w + r * cols, cols, x, xs, y + r, ys, 1, 1);
            else bf16_block(w + r * cols, cols, x, xs, y + r, ys, 1, 2);
        return;
    }
    // Batched: groups of four tokens, each over all the rows of the call, so a group's activations stay in
    // L1 while the rows stream past (rows of 2048 bf16 are 4 KB, eight tokens' activations 32 KB); the first
    // group reads the rows from memory (prefetching ahead), the others from L2. Two rows share each
    // activation load.
    prefetch_start(w + r0 * cols, w + r1 * cols);
    for (int32_t t = 0; t < tokens; t += 4)
    {
        const uint16_t* xt = x + t * xs;
        float* yt = y + t * ys;
        switch (tokens - t < 4 ? tokens - t : 4)
        {
            case 4: bf16_rows(w, cols, xt, xs, yt, ys, r0, r1, t == 0, 4); break;
            case 3: bf16_rows(w, cols, xt, xs, yt, ys, r0, r1, t == 0, 3); break;
            case 2: bf16_rows(w, cols, xt, xs, yt, ys, r0, r1, t == 0, 2); break;
            case 1: bf16_rows(w, cols, xt, xs, yt, ys, r0, r1, t == 0, 1); break;
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// bf16 weights in panels of 16 rows (Bf16Panels.cs): vector j of a panel holds columns 2j and 2j + 1 of its 16
// rows (row i's pair in lane i; a missing last column is zero). y[t * ys + r] for rows [r0, r1), r0 a multiple
// of 16. Each (row, token) sums in one lane: pair j into accumulator j & 1, then the two are added. One weight
// vector serves up to eight tokens (each token's pair broadcast), nothing crosses lanes, and a panel's 16
// outputs are one store: no activations reloaded per row pair, no reductions, one pass for eight tokens.
// ---------------------------------------------------------------------------------------------------

BF16_TARGET INLINE __m512i bf16_pair(const uint16_t* x, int64_t j, int64_t cols)
{
    uint32_t pair;
    if (2 * j + 1 < cols) __builtin_memcpy(&pair, x + 2 * j, 4);
    else pair = x[2 * j]; // an odd last column: its partner is zero (and past the row's end)
    return _mm512_set1_epi32((int)pair);
}

BF16_TARGET INLINE void bf16_panel(const uint16_t* p, int64_t cols, const uint16_t* x, int64_t xs, float* y, int64_t ys,
                                   __mmask16 rows, const int T)
{
    int64_t pairs = (cols + 1) / 2, whole = cols / 2;
    __m512 a0[8], a1[8];
    for (int t = 0; t < T; t++) a0[t] = a1[t] = _mm512_setzero_ps();
    int64_t j = 0;
    for (; j + 2 <= whole; j += 2)
    {
        __m512i w0 = _mm512_load_si512(p + j * 32), w1 = _mm512_load_si512(p + j * 32 + 32);
        for (int t = 0; t < T; t++)
        {
            uint32_t two[2];
            __builtin_memcpy(two, x + t * xs + 2 * j, 8);
            a0[t] = _mm512_dpbf16_ps(a0[t], as_bh(w0), as_bh(_mm512_set1_epi32((int)two[0])));
            a1[t] = _mm512_dpbf16_ps(a1[t], as_bh(w1), as_bh(_mm512_set1_epi32((int)two[1])));
        }
    }
    for (; j < pairs; j++) // at most two: a whole pair (even j) and an odd last column
    {
        __m512i wv = _mm512_load_si512(p + j * 32);
        for (int t = 0; t < T; t++)
        {
            __m512i xv = bf16_pair(x + t * xs, j, cols);
            if ((j & 1) == 0) a0[t] = _mm512_dpbf16_ps(a0[t], as_bh(wv), as_bh(xv));
            else a1[t] = _mm512_dpbf16_ps(a1[t], as_bh(wv), as_bh(xv));
        }
    }
    for (int t = 0; t < T; t++) _mm512_mask_storeu_ps(y + t * ys, rows, _mm512_add_ps(a0[t], a1[t]));
}

BF16_TARGET void prem_bf16_panels_matmul(const uint16_t* w, int64_t cols, const uint16_t* x, int64_t xs, int32_t tokens,
                                         float* y, int64_t ys, int32_t r0, int32_t r1)
{
    int64_t pairs = (cols + 1) / 2;
    for (int32_t r = r0; r < r1; r += 16)
    {
        const uint16_t* p = w + (int64_t)(r / 16) * pairs * 32;
        __mmask16 rows = (__mmask16)(r1 - r >= 16 ? 0xFFFF : (1u << (r1 - r)) - 1);
        for (int32_t t = 0; t < tokens; t += 8)
        {
            const uint16_t* xt = x + t * xs;
            float* yt = y + t * ys + r;
            switch (tokens - t < 8 ? tokens - t : 8)
            {
                case 8: bf16_panel(p, cols, xt, xs, yt, ys, rows, 8); break;
                case 7: bf16_panel(p, cols, xt, xs, yt, ys, rows, 7); break;
                case 6: bf16_panel(p, cols, xt, xs, yt, ys, rows, 6); break;
                case 5: bf16_panel(p, cols, xt, xs, yt, ys, rows, 5); break;
                case 4: bf16_panel(p, cols, xt, xs, yt, ys, rows, 4); break;
                case 3: bf16_panel(p, cols, xt, xs, yt, ys, rows, 3); break;
                case 2: bf16_panel(p, cols, xt, xs, yt, ys, rows, 2); break;
                case 1: bf16_panel(p, cols, xt, xs, yt, ys, rows, 1); break;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// int8 weights × int8 activations in blocks of 32 with float32 scales (llama.cpp's Q8_0 × Q8_0), the
// weights in panels of 16 rows (Int8Panels.cs): for each block of a panel, the 16 rows' scales (64 bytes)
// then eight 64-byte vectors, vector g holding bytes 4g … 4g + 3 of the block for rows 0 … 15 (4 bytes per
// row, row i in lane i), stored as w + 128 (VPDPBUSD multiplies unsigned by signed bytes). The lanes of
// rows past the matrix's last are never stored, and columns past its last meet zero activations.
// x: [tokens, xs] signed bytes, each block of 32 padded with zeros; xd: [tokens, xds] the block scales;
// xc: [tokens, xds] each block's −128 · Σ x, which takes the 128 added to the weights back out.
// Each (row, token) sums a block exactly in one int32 lane: eight VPDPBUSD, one per vector, each adding
// four products (u · x, with the lane starting at the block's correction); the sum is converted to float32
// and accumulated, block by block, as acc += sum · (d_w · d_x) (one FMA). A panel's vectors are read once for
// up to eight tokens, each token's four bytes broadcast to the 16 lanes, so no sums cross lanes and a
// panel's 16 outputs are stored at once.
// ---------------------------------------------------------------------------------------------------

#define Q8_PANEL_ROWS 16
#define Q8_BLOCK_BYTES (64 + 8 * 64)

INLINE void q8_panel(const uint8_t* p, int64_t blocks, const int8_t* x, int64_t xs, const float* xd, const int32_t* xc,
                     int64_t xds, float* y, int64_t ys, __mmask16 rows, const int T)
{
    __m512 acc[8];
    for (int t = 0; t < T; t++) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < blocks; b++)
    {
        const uint8_t* q = p + b * Q8_BLOCK_BYTES;
        __m512i sum[8];
        for (int t = 0; t < T; t++) sum[t] = _mm512_set1_epi32(xc[t * xds + b]);
        for (int g = 0; g < 8; g++)
        {
            __m512i wv = _mm512_load_si512(q + 64 + g * 64);
            for (int t = 0; t < T; t++)
            {
                int32_t four;
                __builtin_memcpy(&four, x + t * xs + b * 32 + g * 4, 4);
                sum[t] = _mm512_dpbusd_epi32(sum[t], wv, _mm512_set1_epi32(four));
            }
        }
        __m512 dw = _mm512_load_ps((const float*)q);
        for (int t = 0; t < T; t++)
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[t]), _mm512_mul_ps(dw, _mm512_set1_ps(xd[t * xds + b])), acc[t]);
    }
    for (int t = 0; t < T; t++) _mm512_mask_storeu_ps(y + t * ys, rows, acc[t]);
}

// Rows [r0, r1): r0 a multiple of 16, r1 too or the matrix's last row (the last panel's other lanes are not stored).
// Tokens in groups of eight over each panel (the first group reads it from memory, the others from L1/L2).
void prem_q8_matmul(const uint8_t* w, int64_t cols, const int8_t* x, int64_t xs, const float* xd, const int32_t* xc,
                    int64_t xds, int32_t tokens, float* y, int64_t ys, int32_t r0, int32_t r1)
{
    int64_t blocks = (cols + 31) / 32;
    for (int32_t r = r0; r < r1; r += Q8_PANEL_ROWS)
    {
        const uint8_t* p = w + (int64_t)(r / Q8_PANEL_ROWS) * blocks * Q8_BLOCK_BYTES;
        __mmask16 rows = (__mmask16)(r1 - r >= Q8_PANEL_ROWS ? 0xFFFF : (1u << (r1 - r)) - 1);
        for (int32_t t = 0; t < tokens; t += 8)
        {
            const int8_t* xt = x + t * xs;
            const float* dt = xd + t * xds;
            const int32_t* ct = xc + t * xds;
            float* yt = y + t * ys + r;
            switch (tokens - t < 8 ? tokens - t : 8)
            {
                case 8: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 8); break;
                case 7: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 7); break;
                case 6: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 6); break;
                case 5: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 5); break;
                case 4: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 4); break;
                case 3: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 3); break;
                case 2: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 2); break;
                case 1: q8_panel(p, blocks, xt, xs, dt, ct, xds, yt, ys, rows, 1); break;
            }
        }
    }
}
