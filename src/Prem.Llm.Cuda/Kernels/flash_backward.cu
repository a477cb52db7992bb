// Backward pass (FlashAttention-2, Algorithm 2) in three kernels:
//  1. flash_bwd_dot_do_o: delta = rowsum(dO * O) per query row and head; zeroes the dQ accumulator.
//  2. flash_bwd: one thread block per (key block, sequence, KV head); 4 warps, each owning 16 keys.
//     It walks the query heads of its group and their query blocks (from the diagonal on, when
//     causal), recomputes P from the saved LSE, accumulates dK and dV in registers (so the group's
//     sum needs no atomics and K/V are never repeated), and adds dQ into an fp32 accumulator with
//     atomics: dQ rows are shared by every key block, and atomics avoid a second pass over K/V.
//  3. flash_bwd_convert_dq: dQ = scale * accumulator in the input dtype.

template <bool BF16>
__device__ __forceinline__ void flash_bwd_dot_do_o(const FlashParams& p) {
    const int warp_id = (blockIdx.x * NUM_THREADS + threadIdx.x) / 32, lane = threadIdx.x % 32;
    if (warp_id >= p.total_q * p.num_heads_q) return;
    const int tok = warp_id / p.num_heads_q, h = warp_id % p.num_heads_q;
    const i64 off = q_token_offset(p, tok) + (i64)h * p.q_head_stride;
    float sum = 0.f;
    for (int d = lane; d < p.head_dim; d += 32)
        sum += to_float<BF16>(p.dout[off + d]) * to_float<BF16>(p.o[off + d]);
    for (int m = 16; m > 0; m /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, m);
    if (lane == 0) p.delta[(i64)h * p.total_q + tok] = sum;
    float* acc = p.dq_accum + ((i64)tok * p.num_heads_q + h) * p.head_dim;
    for (int d = lane; d < p.head_dim; d += 32) acc[d] = 0.f;
}

template <bool BF16>
__device__ __forceinline__ void flash_bwd_convert_dq(const FlashParams& p) {
    const i64 i = (i64)blockIdx.x * NUM_THREADS + threadIdx.x;
    if (i >= (i64)p.total_q * p.num_heads_q * p.head_dim) return;
    const int d = (int)(i % p.head_dim);
    const i64 th = i / p.head_dim;
    const int h = (int)(th % p.num_heads_q), tok = (int)(th / p.num_heads_q);
    p.dq[q_token_offset(p, tok) + (i64)h * p.q_head_stride + d] = from_float<BF16>(p.dq_accum[i] * p.scale);
}

template <int D, bool BF16>
__device__ __forceinline__ void flash_bwd(const FlashParams& p) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int LD = D + PAD, LDS = BLOCK_M + PAD;
    u16* sK = (u16*)smem_raw;
    u16* sV = sK + BLOCK_N * LD;
    u16* sQ = sV + BLOCK_N * LD;
    u16* sdO = sQ + BLOCK_M * LD;
    u16* sdS = sdO + BLOCK_M * LD;                 // dS^T: [BLOCK_N keys][BLOCK_M queries]
    float* sLse = (float*)(sdS + BLOCK_N * LDS);  // log2-domain LSE of the tile's query rows
    float* sDelta = sLse + BLOCK_M;

    const int n_block = blockIdx.x, b = blockIdx.y, hk = blockIdx.z;
    const SeqInfo s = seq_info(p, b);
    if (n_block * BLOCK_N >= s.len_k) return;
    const int group = p.num_heads_q / p.num_heads_kv;
    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, tq = lane % 4, mi = lane / 8, mr = lane % 8;

    const i64 kv_off = s.k_off + (i64)hk * p.k_head_stride + (i64)n_block * BLOCK_N * p.k_row_stride;
    load_tile<D, BLOCK_N>(sK, p.k + kv_off, p.k_row_stride, s.len_k - n_block * BLOCK_N, tid);
    load_tile<D, BLOCK_N>(sV, p.v + kv_off, p.k_row_stride, s.len_k - n_block * BLOCK_N, tid);
    cp_async_commit();

    float dk[D / 8][4], dv[D / 8][4];
    for (int i = 0; i < D / 8; ++i) for (int e = 0; e < 4; ++e) { dk[i][e] = 0.f; dv[i][e] = 0.f; }

    const int key0 = n_block * BLOCK_N + warp * 16 + g;   // this thread's first key row in the sequence
    const int m_first = p.causal ? (n_block * BLOCK_N) / BLOCK_M : 0;
    const int m_blocks = (s.len_q + BLOCK_M - 1) / BLOCK_M;
    const u16* kw = sK + warp * 16 * LD;   // this warp's 16 keys
    const u16* vw = sV + warp * 16 * LD;

    for (int gi = 0; gi < group; ++gi) {
        const int h = hk * group + gi;
        const i64 q_head = s.q_off + (i64)h * p.q_head_stride;
        for (int m_block = m_first; m_block < m_blocks; ++m_block) {
            __syncthreads();   // the previous tile's readers are done with sQ, sdO and sdS
            const int q_valid = s.len_q - m_block * BLOCK_M;
            const i64 q_tile = q_head + (i64)m_block * BLOCK_M * p.q_row_stride;
            load_tile<D, BLOCK_M>(sQ, p.q + q_tile, p.q_row_stride, q_valid, tid);
            load_tile<D, BLOCK_M>(sdO, p.dout + q_tile, p.q_row_stride, q_valid, tid);
            cp_async_commit();
            if (tid < BLOCK_M) {
                const bool valid = tid < q_valid;
                const i64 at = (i64)h * p.total_q + s.q_start + m_block * BLOCK_M + tid;
                // +inf LSE turns rows past the end into P = 0.
                sLse[tid] = valid ? p.lse[at] * 1.4426950408889634f : -neg_inf();
                sDelta[tid] = valid ? p.delta[at] : 0.f;
            }
            cp_async_wait<0>();
            __syncthreads();

            // S^T = K Q^T and dP^T = V dO^T for this warp's 16 keys and the tile's 64 queries.
            float st[BLOCK_M / 8][4], dpt[BLOCK_M / 8][4];
            for (int t = 0; t < BLOCK_M / 8; ++t) for (int e = 0; e < 4; ++e) { st[t][e] = 0.f; dpt[t][e] = 0.f; }
            for (int kk = 0; kk < D / 16; ++kk) {
                u32 ka[4], va[4];
                ldmatrix_x4(ka, kw + (lane % 16) * LD + kk * 16 + (lane / 16) * 8);
                ldmatrix_x4(va, vw + (lane % 16) * LD + kk * 16 + (lane / 16) * 8);
                for (int np = 0; np < BLOCK_M / 16; ++np) {
                    u32 qb[4], ob[4];
                    const int at = (np * 16 + (mi / 2) * 8 + mr) * LD + kk * 16 + (mi % 2) * 8;
                    ldmatrix_x4(qb, sQ + at);
                    ldmatrix_x4(ob, sdO + at);
                    mma16816<BF16>(st[2 * np], ka, qb[0], qb[1]);
                    mma16816<BF16>(st[2 * np + 1], ka, qb[2], qb[3]);
                    mma16816<BF16>(dpt[2 * np], va, ob[0], ob[1]);
                    mma16816<BF16>(dpt[2 * np + 1], va, ob[2], ob[3]);
                }
            }

            // P^T = exp2(scale_log2 * S^T - LSE), masked; dS^T = P^T * (dP^T - delta).
            const bool edge = (n_block + 1) * BLOCK_N > s.len_k || (p.causal && (n_block + 1) * BLOCK_N > m_block * BLOCK_M);
            for (int t = 0; t < BLOCK_M / 8; ++t)
                for (int e = 0; e < 4; ++e) {
                    const int col = t * 8 + 2 * tq + (e & 1);
                    float pv = fast_exp2(st[t][e] * p.scale_log2 - sLse[col]);
                    if (edge) {
                        const int key = key0 + (e >> 1) * 8, row = m_block * BLOCK_M + col;
                        if (key >= s.len_k || (p.causal && key > row)) pv = 0.f;
                    }
                    st[t][e] = pv;
                    dpt[t][e] = pv * (dpt[t][e] - sDelta[col]);
                }

            // Pack P^T and dS^T to 16 bits now, so the fp32 tiles are dead before the dK/dV products
            // (this keeps head_dim 128 inside the register file), and keep dS^T in shared memory for
            // the dQ product, which needs it transposed across warps.
            u32 pa[BLOCK_M / 16][4], da[BLOCK_M / 16][4];
            for (int kk = 0; kk < BLOCK_M / 16; ++kk) {
                pa[kk][0] = pack2<BF16>(st[2 * kk][0], st[2 * kk][1]);
                pa[kk][1] = pack2<BF16>(st[2 * kk][2], st[2 * kk][3]);
                pa[kk][2] = pack2<BF16>(st[2 * kk + 1][0], st[2 * kk + 1][1]);
                pa[kk][3] = pack2<BF16>(st[2 * kk + 1][2], st[2 * kk + 1][3]);
                da[kk][0] = pack2<BF16>(dpt[2 * kk][0], dpt[2 * kk][1]);
                da[kk][1] = pack2<BF16>(dpt[2 * kk][2], dpt[2 * kk][3]);
                da[kk][2] = pack2<BF16>(dpt[2 * kk + 1][0], dpt[2 * kk + 1][1]);
                da[kk][3] = pack2<BF16>(dpt[2 * kk + 1][2], dpt[2 * kk + 1][3]);
                u16* row = sdS + (warp * 16 + g) * LDS + kk * 16 + 2 * tq;
                *(u32*)row = da[kk][0];
                *(u32*)(row + 8 * LDS) = da[kk][1];
                *(u32*)(row + 8) = da[kk][2];
                *(u32*)(row + 8 * LDS + 8) = da[kk][3];
            }

            // dV += P^T dO and dK += dS^T Q (the accumulators' layout is the A operand's).
            for (int kk = 0; kk < BLOCK_M / 16; ++kk)
                for (int dp = 0; dp < D / 16; ++dp) {
                    u32 ob[4], qb[4];
                    const int at = (kk * 16 + (mi % 2) * 8 + mr) * LD + dp * 16 + (mi / 2) * 8;
                    ldmatrix_x4_trans(ob, sdO + at);
                    ldmatrix_x4_trans(qb, sQ + at);
                    mma16816<BF16>(dv[2 * dp], pa[kk], ob[0], ob[1]);
                    mma16816<BF16>(dv[2 * dp + 1], pa[kk], ob[2], ob[3]);
                    mma16816<BF16>(dk[2 * dp], da[kk], qb[0], qb[1]);
                    mma16816<BF16>(dk[2 * dp + 1], da[kk], qb[2], qb[3]);
                }
            __syncthreads();

            // dQ (this warp's 16 query rows) += dS K, added into the fp32 accumulator.
            u32 sa[BLOCK_N / 16][4];
            for (int ks = 0; ks < BLOCK_N / 16; ++ks)
                ldmatrix_x4_trans(sa[ks], sdS + (ks * 16 + (mi / 2) * 8 + mr) * LDS + warp * 16 + (mi % 2) * 8);
            const int qrow = m_block * BLOCK_M + warp * 16 + g;
            for (int dp = 0; dp < D / 16; ++dp) {
                float acc[2][4] = { { 0.f, 0.f, 0.f, 0.f }, { 0.f, 0.f, 0.f, 0.f } };
                for (int ks = 0; ks < BLOCK_N / 16; ++ks) {
                    u32 kb[4];
                    ldmatrix_x4_trans(kb, sK + (ks * 16 + (mi % 2) * 8 + mr) * LD + dp * 16 + (mi / 2) * 8);
                    mma16816<BF16>(acc[0], sa[ks], kb[0], kb[1]);
                    mma16816<BF16>(acc[1], sa[ks], kb[2], kb[3]);
                }
                for (int r = 0; r < 2; ++r) {
                    const int row = qrow + r * 8;
                    if (row >= s.len_q) continue;
                    float* dst = p.dq_accum + ((i64)(s.q_start + row) * p.num_heads_q + h) * p.head_dim + dp * 16 + 2 * tq;
                    for (int half = 0; half < 2; ++half) {
                        atomicAdd(dst + half * 8, acc[half][2 * r]);
                        atomicAdd(dst + half * 8 + 1, acc[half][2 * r + 1]);
                    }
                }
            }
        }
    }

    // Store dK (scaled) and dV for this warp's keys.
    for (int r = 0; r < 2; ++r) {
        const int key = key0 + r * 8;
        if (key >= s.len_k) continue;
        const i64 off = s.k_off + (i64)hk * p.k_head_stride + (i64)key * p.k_row_stride;
        for (int i = 0; i < D / 8; ++i) {
            *(u32*)(p.dk + off + i * 8 + 2 * tq) = pack2<BF16>(dk[i][2 * r] * p.scale, dk[i][2 * r + 1] * p.scale);
            *(u32*)(p.dv + off + i * 8 + 2 * tq) = pack2<BF16>(dv[i][2 * r], dv[i][2 * r + 1]);
        }
    }
}

extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_dot_do_o_bf16(const FlashParams p) { flash_bwd_dot_do_o<true>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_dot_do_o_fp16(const FlashParams p) { flash_bwd_dot_do_o<false>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_convert_dq_bf16(const FlashParams p) { flash_bwd_convert_dq<true>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_convert_dq_fp16(const FlashParams p) { flash_bwd_convert_dq<false>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_bf16_hd64(const FlashParams p) { flash_bwd<64, true>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_bf16_hd128(const FlashParams p) { flash_bwd<128, true>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_fp16_hd64(const FlashParams p) { flash_bwd<64, false>(p); }
extern "C" __global__ void __launch_bounds__(NUM_THREADS) flash_bwd_fp16_hd128(const FlashParams p) { flash_bwd<128, false>(p); }
