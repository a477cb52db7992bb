// Forward pass (FlashAttention-2, Algorithm 1): one thread block per (query block, sequence, query
// head); 4 warps, each owning 16 query rows. K/V tiles are double-buffered with cp.async. With
// causal masking the loop stops at the diagonal block, so blocks above it are never visited.

template <int D, bool BF16>
__device__ __forceinline__ void flash_fwd(const FlashParams& p) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int LD = D + PAD;
    u16* sQ = (u16*)smem_raw;
    u16* sK = sQ + BLOCK_M * LD;          // two buffers of BLOCK_N x LD
    u16* sV = sK + 2 * BLOCK_N * LD;      // two buffers of BLOCK_N x LD

    const int m_block = blockIdx.x, b = blockIdx.y, h = blockIdx.z;
    const SeqInfo s = seq_info(p, b);
    if (m_block * BLOCK_M >= s.len_q) return;
    const int hk = h / (p.num_heads_q / p.num_heads_kv);
    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, tq = lane % 4;    // mma fragment row group and column pair
    const int mi = lane / 8, mr = lane % 8;   // ldmatrix: which 8x8 matrix this lane addresses, and its row

    const u16* q = p.q + s.q_off + (i64)h * p.q_head_stride + (i64)m_block * BLOCK_M * p.q_row_stride;
    const u16* k = p.k + s.k_off + (i64)hk * p.k_head_stride;
    const u16* v = p.v + s.k_off + (i64)hk * p.k_head_stride;

    int n_blocks = (s.len_k + BLOCK_N - 1) / BLOCK_N;
    if (p.causal) {
        int last = ((m_block + 1) * BLOCK_M + BLOCK_N - 1) / BLOCK_N;
        n_blocks = n_blocks < last ? n_blocks : last;
    }

    load_tile<D, BLOCK_M>(sQ, q, p.q_row_stride, s.len_q - m_block * BLOCK_M, tid);
    cp_async_commit();
    load_tile<D, BLOCK_N>(sK, k, p.k_row_stride, s.len_k, tid);
    load_tile<D, BLOCK_N>(sV, v, p.k_row_stride, s.len_k, tid);
    cp_async_commit();

    u32 qf[D / 16][4];
    float o[D / 8][4];
    for (int i = 0; i < D / 8; ++i) for (int e = 0; e < 4; ++e) o[i][e] = 0.f;
    float row_max[2] = { neg_inf(), neg_inf() };   // running max of scale_log2 * score, rows g and g + 8
    float row_sum[2] = { 0.f, 0.f };               // this thread's share of the running exp2 sum

    const int row0 = m_block * BLOCK_M + warp * 16 + g;   // this thread's first query row in the sequence
    for (int j = 0; j < n_blocks; ++j) {
        const int buf = j & 1;
        if (j + 1 < n_blocks) {
            const i64 next = (i64)(j + 1) * BLOCK_N * p.k_row_stride;
            const int valid = s.len_k - (j + 1) * BLOCK_N;
            load_tile<D, BLOCK_N>(sK + (buf ^ 1) * BLOCK_N * LD, k + next, p.k_row_stride, valid, tid);
            load_tile<D, BLOCK_N>(sV + (buf ^ 1) * BLOCK_N * LD, v + next, p.k_row_stride, valid, tid);
            cp_async_commit();
            cp_async_wait<1>();
        } else {
            cp_async_wait<0>();
        }
        __syncthreads();
        if (j == 0)
            for (int kk = 0; kk < D / 16; ++kk)
                ldmatrix_x4(qf[kk], sQ + (warp * 16 + lane % 16) * LD + kk * 16 + (lane / 16) * 8);

        // S = Q K^T for this warp's 16 rows and the tile's 64 keys.
        const u16* kt = sK + buf * BLOCK_N * LD;
        float sc[BLOCK_N / 8][4];
        for (int t = 0; t < BLOCK_N / 8; ++t) for (int e = 0; e < 4; ++e) sc[t][e] = 0.f;
        for (int kk = 0; kk < D / 16; ++kk)
            for (int np = 0; np < BLOCK_N / 16; ++np) {
                u32 kb[4];
                ldmatrix_x4(kb, kt + (np * 16 + (mi / 2) * 8 + mr) * LD + kk * 16 + (mi % 2) * 8);
                mma16816<BF16>(sc[2 * np], qf[kk], kb[0], kb[1]);
                mma16816<BF16>(sc[2 * np + 1], qf[kk], kb[2], kb[3]);
            }

        // Mask keys past the end and, on the diagonal, keys after the query.
        const bool edge = (j + 1) * BLOCK_N > s.len_k || (p.causal && (j + 1) * BLOCK_N > m_block * BLOCK_M);
        for (int t = 0; t < BLOCK_N / 8; ++t)
            for (int e = 0; e < 4; ++e) {
                float x = sc[t][e] * p.scale_log2;
                if (edge) {
                    int key = j * BLOCK_N + t * 8 + 2 * tq + (e & 1);
                    int row = row0 + (e >> 1) * 8;
                    if (key >= s.len_k || (p.causal && key > row)) x = neg_inf();
                }
                sc[t][e] = x;
            }

        // Online softmax: new running max, rescale the old sum and output, exponentiate.
        for (int r = 0; r < 2; ++r) {
            float mx = row_max[r];
            for (int t = 0; t < BLOCK_N / 8; ++t) mx = fmaxf(mx, fmaxf(sc[t][2 * r], sc[t][2 * r + 1]));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
            const float base = mx == neg_inf() ? 0.f : mx;   // a row with nothing visible yet stays at 0
            const float alpha = fast_exp2(row_max[r] - base);
            row_max[r] = mx;
            float sum = 0.f;
            for (int t = 0; t < BLOCK_N / 8; ++t) {
                sc[t][2 * r] = fast_exp2(sc[t][2 * r] - base);
                sc[t][2 * r + 1] = fast_exp2(sc[t][2 * r + 1] - base);
                sum += sc[t][2 * r] + sc[t][2 * r + 1];
            }
            row_sum[r] = row_sum[r] * alpha + sum;
            for (int i = 0; i < D / 8; ++i) { o[i][2 * r] *= alpha; o[i][2 * r + 1] *= alpha; }
        }

        // O += P V, with P taken straight from the score accumulators (their layout is the A operand's).
        const u16* vt = sV + buf * BLOCK_N * LD;
        for (int kk = 0; kk < BLOCK_N / 16; ++kk) {
            u32 pa[4] = {
                pack2<BF16>(sc[2 * kk][0], sc[2 * kk][1]), pack2<BF16>(sc[2 * kk][2], sc[2 * kk][3]),
                pack2<BF16>(sc[2 * kk + 1][0], sc[2 * kk + 1][1]), pack2<BF16>(sc[2 * kk + 1][2], sc[2 * kk + 1][3]) };
            for (int dp = 0; dp < D / 16; ++dp) {
                u32 vb[4];
                ldmatrix_x4_trans(vb, vt + (kk * 16 + (mi % 2) * 8 + mr) * LD + dp * 16 + (mi / 2) * 8);
                mma16816<BF16>(o[2 * dp], pa, vb[0], vb[1]);
                mma16816<BF16>(o[2 * dp + 1], pa, vb[2], vb[3]);
            }
        }
        __syncthreads();   // the next iteration's prefetch overwrites the buffer read here
    }

    // Finish: total sums over the quad, normalise, store O and the natural-log LSE.
    for (int r = 0; r < 2; ++r) {
        float sum = row_sum[r];
        sum += __shfl_xor_sync(0xffffffffu, sum, 1);
        sum += __shfl_xor_sync(0xffffffffu, sum, 2);
        const int row = row0 + r * 8;
        if (row >= s.len_q) continue;
        const float inv = sum > 0.f ? 1.f / sum : 0.f;
        u16* out = p.o + s.q_off + (i64)h * p.q_head_stride + (i64)row * p.q_row_stride;
        for (int i = 0; i < D / 8; ++i)
            *(u32*)(out + i * 8 + 2 * tq) = pack2<BF16>(o[i][2 * r] * inv, o[i][2 * r + 1] * inv);
        if (tq == 0)
            p.lse[(i64)h * p.total_q + s.q_start + row] = (row_max[r] + log2f(sum)) * 0.69314718055994531f;
    }
}

extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_fwd_bf16_hd64(const FlashParams p) { flash_fwd<64, true>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_fwd_bf16_hd128(const FlashParams p) { flash_fwd<128, true>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_fwd_fp16_hd64(const FlashParams p) { flash_fwd<64, false>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_fwd_fp16_hd128(const FlashParams p) { flash_fwd<128, false>(p); }
