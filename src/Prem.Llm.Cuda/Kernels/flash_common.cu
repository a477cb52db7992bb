// Fused attention, FlashAttention-2 style, for sm_80 and newer (compiled by NVRTC at run time).
// The source is three files compiled as one: flash_common.cu, flash_forward.cu, flash_backward.cu.
// Defines, for bf16 and fp16 inputs with fp32 accumulation and head_dim 64 or 128:
//   flash_fwd_<dtype>_hd<D>         O = softmax(scale * Q K^T) V, and the row log-sum-exp (LSE)
//   flash_bwd_dot_do_o_<dtype>      backward pre-pass: delta = rowsum(dO * O); clears the dQ accumulator
//   flash_bwd_<dtype>_hd<D>         dK, dV (one thread block per key block and KV head, summing over the
//                                   query heads of its group) and dQ (fp32 atomics into the accumulator)
//   flash_bwd_convert_dq_<dtype>    dQ = scale * accumulator, in the input dtype
//
// Header-free on purpose: NVRTC needs no CUDA include path, so 16-bit values are unsigned short and
// the conversions and tensor-core instructions (mma.sync m16n8k16, ldmatrix, cp.async) are inline PTX.
//
// Layout: element (sequence b, row r, head h, d) of Q/O/dO/dQ is at
//   fixed length: b * q_batch_stride + r * q_row_stride + h * q_head_stride + d
//   packed (cu_seqlens_q != 0): (cu_seqlens_q[b] + r) * q_row_stride + h * q_head_stride + d
// and likewise for K/V/dK/dV with the k_* strides. LSE and delta are fp32 [num_heads_q, total_q] and
// the dQ accumulator fp32 [total_q, num_heads_q, head_dim], indexed by the query's token number
// (b * seqlen_q + r, or cu_seqlens_q[b] + r). Query head h reads KV head h / (Hq / Hkv).
// Causal attention needs equal query and key lengths per sequence (self-attention, packed or not).

typedef unsigned short u16;
typedef unsigned int u32;
typedef long long i64;

struct FlashParams {
    const u16* q; const u16* k; const u16* v; u16* o;
    float* lse;
    const u16* dout; u16* dq; u16* dk; u16* dv;
    float* dq_accum;
    float* delta;
    const int* cu_seqlens_q; const int* cu_seqlens_k;
    i64 q_batch_stride, q_row_stride, q_head_stride;
    i64 k_batch_stride, k_row_stride, k_head_stride;
    int num_seqs, num_heads_q, num_heads_kv, head_dim;
    int seqlen_q, seqlen_k;   // per sequence (fixed length) or the longest sequence (packed)
    int total_q;              // query tokens over all sequences
    int causal;
    float scale;              // softmax scale
    float scale_log2;         // scale * log2(e): the kernels work with exp2
};

#define BLOCK_M 64            // query rows per tile (16 per warp in the forward pass)
#define BLOCK_N 64            // key rows per tile (16 per warp in the backward pass)
#define NUM_THREADS 128
#define PAD 8                 // 16 bytes of padding per shared-memory row keeps ldmatrix free of bank conflicts

struct SeqInfo { int q_start, k_start, len_q, len_k; i64 q_off, k_off; };

__device__ __forceinline__ SeqInfo seq_info(const FlashParams& p, int b) {
    SeqInfo s;
    if (p.cu_seqlens_q) {
        s.q_start = p.cu_seqlens_q[b]; s.len_q = p.cu_seqlens_q[b + 1] - s.q_start;
        s.k_start = p.cu_seqlens_k[b]; s.len_k = p.cu_seqlens_k[b + 1] - s.k_start;
        s.q_off = (i64)s.q_start * p.q_row_stride; s.k_off = (i64)s.k_start * p.k_row_stride;
    } else {
        s.q_start = b * p.seqlen_q; s.len_q = p.seqlen_q;
        s.k_start = b * p.seqlen_k; s.len_k = p.seqlen_k;
        s.q_off = (i64)b * p.q_batch_stride; s.k_off = (i64)b * p.k_batch_stride;
    }
    return s;
}

// Offset of query token `tok` (in LSE numbering) in the Q-shaped tensors.
__device__ __forceinline__ i64 q_token_offset(const FlashParams& p, int tok) {
    if (p.cu_seqlens_q) return (i64)tok * p.q_row_stride;
    return (i64)(tok / p.seqlen_q) * p.q_batch_stride + (i64)(tok % p.seqlen_q) * p.q_row_stride;
}

// ---- PTX helpers -------------------------------------------------------------------------------

__device__ __forceinline__ u32 smem_addr(const void* ptr) {
    u32 r;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(r) : "l"(ptr));
    return r;
}

// Copies 16 bytes global -> shared asynchronously; writes zeros when !valid (rows past the end).
__device__ __forceinline__ void cp_async16(void* dst, const void* src, bool valid) {
    int bytes = valid ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" :: "r"(smem_addr(dst)), "l"(src), "r"(bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> __device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" :: "n"(N)); }

__device__ __forceinline__ void ldmatrix_x4(u32 (&r)[4], const void* ptr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_addr(ptr)));
}
__device__ __forceinline__ void ldmatrix_x4_trans(u32 (&r)[4], const void* ptr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_addr(ptr)));
}

// C[16x8] += A[16x16] * B[16x8], fp32 accumulators.
template <bool BF16>
__device__ __forceinline__ void mma16816(float (&c)[4], const u32 (&a)[4], u32 b0, u32 b1) {
    if (BF16)
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    else
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Packs two floats into a 16-bit pair; `lo` (the lower column) goes in the low half.
template <bool BF16>
__device__ __forceinline__ u32 pack2(float lo, float hi) {
    u32 r;
    if (BF16) asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    else      asm("cvt.rn.f16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

template <bool BF16>
__device__ __forceinline__ float to_float(u16 x) {
    float f;
    if (BF16) { u32 bits = ((u32)x) << 16; asm("mov.b32 %0, %1;\n" : "=f"(f) : "r"(bits)); }
    else      asm("cvt.f32.f16 %0, %1;\n" : "=f"(f) : "h"(x));
    return f;
}

template <bool BF16>
__device__ __forceinline__ u16 from_float(float f) {
    u16 r;
    if (BF16) asm("cvt.rn.bf16.f32 %0, %1;\n" : "=h"(r) : "f"(f));
    else      asm("cvt.rn.f16.f32 %0, %1;\n" : "=h"(r) : "f"(f));
    return r;
}

__device__ __forceinline__ float fast_exp2(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}

__device__ __forceinline__ float neg_inf() {
    float f;
    asm("mov.b32 %0, 0xff800000;\n" : "=f"(f));
    return f;
}

// Loads a [BLOCK rows x D] tile (row stride `stride` elements) into shared memory rows of D + PAD.
template <int D, int ROWS>
__device__ __forceinline__ void load_tile(u16* dst, const u16* src, i64 stride, int rows_valid, int tid) {
    const int chunks_per_row = D / 8;
    for (int c = tid; c < ROWS * chunks_per_row; c += NUM_THREADS) {
        int r = c / chunks_per_row, col = (c % chunks_per_row) * 8;
        bool valid = r < rows_valid;
        cp_async16(dst + r * (D + PAD) + col, valid ? src + r * stride + col : src, valid);
    }
}
