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
// int8 weights × int8 activations in blocks of 32 with float32 scales (llama.cpp's Q8_0 × Q8_0).
// w: [rows, cols] int8, row r at r * cols; ws: [rows, blocks] scales. xu: [tokens, blocks * 32] the
// activations plus 128 as unsigned bytes (VPDPBUSD multiplies unsigned by signed bytes), a short last
// block padded with 128 (zero), xs its row stride; xd: each token's block scales expanded to 16 lanes
// per pair of blocks (lanes 0–7 the first block's, 8–15 the second's, zeros past the last block), xds
// floats per token.
// Blocks go in pairs (64 bytes). Each of the 16 int32 lanes sums four products (lanes 0–7 the first
// block, 8–15 the second); starting from −128 · Σ w over the same four weights, the sum is exactly
// Σ x · w. Each pair is converted to float32 and accumulated with its scales d_w · d_x. A last odd block
// is read with a 32-byte mask; a short last block reads past the row end into weights that meet zero
// activations (the matrix keeps 32 spare bytes after its last row). Four blocks per step while four
// remain, the first pair into one accumulator and the second into another (two dependency chains: a
// lone token is otherwise bound by the FMA latency), the remaining pairs into the first; the two are
// added before the reduction.
// ---------------------------------------------------------------------------------------------------

INLINE void q8_row(const int8_t* w, const float* ws, int64_t blocks, const uint8_t* xu, int64_t xs, const float* xd,
                   int64_t xds, float* y, int64_t ys, const int T)
{
    // Lanes 0–7 take the first scale, lanes 8–15 the second.
    const __m512i pairIndex = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i offset = _mm512_set1_epi8((char)0x80);
    __m512 acc[8], odd[8];
    for (int t = 0; t < T; t++) acc[t] = odd[t] = _mm512_setzero_ps();
    int64_t b = 0;
    for (; b + 4 <= blocks; b += 4)
    {
        __m512i w0 = _mm512_loadu_si512(w + b * 32), w1 = _mm512_loadu_si512(w + b * 32 + 64);
        __m512i s0 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), offset, w0));
        __m512i s1 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), offset, w1));
        __m512 d0 = _mm512_permutexvar_ps(pairIndex, _mm512_maskz_loadu_ps(0x3, ws + b));
        __m512 d1 = _mm512_permutexvar_ps(pairIndex, _mm512_maskz_loadu_ps(0x3, ws + b + 2));
        for (int t = 0; t < T; t++)
        {
            __m512i i0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512(xu + t * xs + b * 32), w0);
            __m512i i1 = _mm512_dpbusd_epi32(s1, _mm512_loadu_si512(xu + t * xs + b * 32 + 64), w1);
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i0), _mm512_mul_ps(d0, _mm512_loadu_ps(xd + t * xds + b * 8)), acc[t]);
            odd[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i1), _mm512_mul_ps(d1, _mm512_loadu_ps(xd + t * xds + b * 8 + 16)), odd[t]);
        }
    }
    for (; b < blocks; b += 2)
    {
        int whole = b + 2 <= blocks;
        __mmask64 bytes = whole ? ~(__mmask64)0 : (__mmask64)0xFFFFFFFFu;
        __m512i wv = _mm512_maskz_loadu_epi8(bytes, w + b * 32);
        __m512i start = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), offset, wv));
        __m512 dw = _mm512_permutexvar_ps(pairIndex, _mm512_maskz_loadu_ps(whole ? 0x3 : 0x1, ws + b));
        for (int t = 0; t < T; t++)
        {
            __m512i sums = _mm512_dpbusd_epi32(start, _mm512_maskz_loadu_epi8(bytes, xu + t * xs + b * 32), wv);
            __m512 scale = _mm512_mul_ps(dw, _mm512_loadu_ps(xd + t * xds + b * 8));
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), scale, acc[t]);
        }
    }
    for (int t = 0; t < T; t++) acc[t] = _mm512_add_ps(acc[t], odd[t]);
    for (int t = 0; t < T; t++) y[t * ys] = _mm512_reduce_add_ps(acc[t]);
}

// Rows [r0, r1) for T tokens.
INLINE void q8_rows(const int8_t* w, const float* ws, int64_t cols, const uint8_t* xu, int64_t xs, const float* xd,
                    int64_t xds, float* y, int64_t ys, int32_t r0, int32_t r1, int prefetch, const int T)
{
    int64_t blocks = (cols + 31) / 32;
    for (int32_t r = r0; r < r1; r++)
    {
        if (prefetch) prefetch_ahead(w + r * cols, cols, w + r1 * cols);
        q8_row(w + r * cols, ws + r * blocks, blocks, xu, xs, xd, xds, y + r, ys, T);
    }
}

void prem_q8_matmul(const int8_t* w, const float* ws, int64_t cols, const uint8_t* xu, int64_t xs, const float* xd,
                    int64_t xds, int32_t tokens, float* y, int64_t ys, int32_t r0, int32_t r1)
{
    // Groups of up to eight tokens over all the rows of the call (a token's activations and expanded scales
    // are 2 bytes per column, so eight tokens of 1024 columns fill half of L1); four for longer rows. The first
    // group reads the rows from memory (prefetching ahead when batched), the others from L2.
    int group = cols <= 1024 ? 8 : 4;
    if (tokens >= 3) prefetch_start(w + r0 * cols, w + r1 * cols);
    for (int32_t t = 0; t < tokens; t += group)
    {
        const uint8_t* xt = xu + t * xs;
        const float* dt = xd + t * xds;
        float* yt = y + t * ys;
        int prefetch = t == 0 && tokens >= 3;
        switch (tokens - t < group ? tokens - t : group)
        {
            case 8: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 8); break;
            case 7: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 7); break;
            case 6: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 6); break;
            case 5: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 5); break;
            case 4: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 4); break;
            case 3: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 3); break;
            case 2: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 2); break;
            case 1: q8_rows(w, ws, cols, xt, xs, dt, xds, yt, ys, r0, r1, prefetch, 1); break;
        }
    }
}
