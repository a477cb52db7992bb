"""A small causal/non-causal fused attention forward in Triton, written for this benchmark (Triton's
tutorial file is not installed with the package). FlashAttention-2 forward: one program per
(query block, batch * head), online softmax in base 2, GQA by indexing the KV head. Layout [B, H, L, D]."""
import math

import torch
import triton
import triton.language as tl


@triton.jit
def _attn_fwd(Q, K, V, O, sm_scale_log2, L, H, HKV,
              stride_qb, stride_qh, stride_ql, stride_kb, stride_kh, stride_kl,
              CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, D: tl.constexpr):
    m_block = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    hk = h // (H // HKV)
    offs_m = m_block * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, D)
    q = tl.load(Q + b * stride_qb + h * stride_qh + offs_m[:, None] * stride_ql + offs_d[None, :],
                mask=offs_m[:, None] < L, other=0.0)
    k_base = K + b * stride_kb + hk * stride_kh
    v_base = V + b * stride_kb + hk * stride_kh
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, D], tl.float32)
    end = tl.minimum((m_block + 1) * BLOCK_M, L) if CAUSAL else L
    for start in range(0, end, BLOCK_N):
        cols = start + offs_n
        k = tl.load(k_base + cols[None, :] * stride_kl + offs_d[:, None], mask=cols[None, :] < L, other=0.0)
        s = tl.dot(q, k) * sm_scale_log2
        valid = cols[None, :] < L
        if CAUSAL:
            valid = valid & (cols[None, :] <= offs_m[:, None])
        s = tl.where(valid, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        alpha = tl.math.exp2(m_i - m_new)
        p = tl.math.exp2(s - m_new[:, None])
        l_i = l_i * alpha + tl.sum(p, 1)
        v = tl.load(v_base + cols[:, None] * stride_kl + offs_d[None, :], mask=cols[:, None] < L, other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v)
        m_i = m_new
    acc = acc / l_i[:, None]
    tl.store(O + b * stride_qb + h * stride_qh + offs_m[:, None] * stride_ql + offs_d[None, :],
             acc.to(O.dtype.element_ty), mask=offs_m[:, None] < L)


def attention(q, k, v, causal, block_m=128, block_n=64, num_warps=4, num_stages=3):
    """q [B, H, L, D], k/v [B, HKV, L, D], contiguous; returns o like q."""
    b, h, l, d = q.shape
    o = torch.empty_like(q)
    grid = (triton.cdiv(l, block_m), b * h)
    _attn_fwd[grid](q, k, v, o, (1.0 / math.sqrt(d)) * 1.4426950408889634, l, h, k.shape[1],
                    q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
                    CAUSAL=causal, BLOCK_M=block_m, BLOCK_N=block_n, D=d, num_warps=num_warps, num_stages=num_stages)
    return o
