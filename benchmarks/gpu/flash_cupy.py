"""Our flash-attention kernels driven from Python: the same .cu files that Prem.Llm.Cuda embeds,
compiled by CuPy's RawModule (NVRTC backend) and launched on torch tensors (same primary context,
torch's current stream). Used by check_kernels.py and bench_kernels.py."""
import ctypes
import math
import pathlib
import struct

import cupy
import torch

KERNEL_DIR = pathlib.Path(__file__).resolve().parents[2] / "src" / "Prem.Llm.Cuda" / "Kernels"
FILES = ["flash_common.cu", "flash_forward.cu", "flash_backward.cu"]  # KernelSource.FlashAttentionFiles
BLOCK, THREADS, PAD = 64, 128, 8
CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8

_module = None


def module():
    global _module
    if _module is None:
        source = "".join((KERNEL_DIR / f).read_text() + "\n" for f in FILES)
        _module = cupy.RawModule(code=source, backend="nvrtc", options=("-std=c++17",))
        _module.compile()
    return _module


def _launch(name, grid, shared, params):
    fn = module().get_function(name)
    if shared > 48 * 1024:
        cupy.cuda.driver.funcSetAttribute(fn.ptr, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, shared)
    buf = ctypes.create_string_buffer(params, len(params))
    arg = (ctypes.c_void_p * 1)(ctypes.addressof(buf))
    stream = torch.cuda.current_stream().cuda_stream
    cupy.cuda.driver.launchKernel(fn.ptr, grid[0], grid[1], grid[2], THREADS, 1, 1, shared, stream,
                                  ctypes.addressof(arg), 0)


def _params(q, k, v, o, lse, cu, total_q, max_q, max_k, causal, scale, num_seqs,
            dout=None, dq=None, dk=None, dv=None, dq_accum=None, delta=None):
    """Packs FlashParams (flash_common.cu): 13 pointers, 6 int64 strides, 8 int32, 2 float = 192 bytes.
    Tensors are token-major: q [tokens or (B, L), Hq, D]."""
    ptr = lambda t: 0 if t is None else t.data_ptr()
    hq, d = q.shape[-2], q.shape[-1]
    hkv = k.shape[-2]
    q_row, k_row = hq * d, hkv * d
    packed = cu is not None
    return struct.pack(
        "<13Q6q8i2f",
        ptr(q), ptr(k), ptr(v), ptr(o), ptr(lse), ptr(dout), ptr(dq), ptr(dk), ptr(dv), ptr(dq_accum), ptr(delta),
        ptr(cu), ptr(cu),
        0 if packed else max_q * q_row, q_row, d,
        0 if packed else max_k * k_row, k_row, d,
        num_seqs, hq, hkv, d, max_q, max_k, total_q, 1 if causal else 0,
        scale, scale * 1.4426950408889634)


def _suffix(t):
    return "bf16" if t.dtype == torch.bfloat16 else "fp16"


def forward(q, k, v, causal, scale=None, cu_seqlens=None, max_seqlen=None):
    """q: [B, L, Hq, D] (or [T, Hq, D] with cu_seqlens int32 [S+1]); k, v: [B, L, Hkv, D] / [T, Hkv, D].
    Returns (o like q, lse fp32 [Hq, total_q])."""
    d = q.shape[-1]
    scale = scale if scale is not None else 1.0 / math.sqrt(d)
    if cu_seqlens is None:
        num_seqs, max_q, max_k = q.shape[0], q.shape[1], k.shape[1]
        total_q = num_seqs * max_q
    else:
        num_seqs, max_q, max_k, total_q = cu_seqlens.numel() - 1, max_seqlen, max_seqlen, q.shape[0]
    o = torch.empty_like(q)
    lse = torch.empty(q.shape[-2], total_q, device=q.device, dtype=torch.float32)
    params = _params(q, k, v, o, lse, cu_seqlens, total_q, max_q, max_k, causal, scale, num_seqs)
    grid = ((max_q + BLOCK - 1) // BLOCK, num_seqs, q.shape[-2])
    _launch(f"flash_fwd_{_suffix(q)}_hd{d}", grid, 5 * BLOCK * (d + PAD) * 2, params)
    return o, lse


def backward(q, k, v, o, lse, dout, causal, scale=None, cu_seqlens=None, max_seqlen=None):
    """Gradients (dq, dk, dv) of sum(o * dout), same layouts as forward()."""
    d = q.shape[-1]
    hq = q.shape[-2]
    scale = scale if scale is not None else 1.0 / math.sqrt(d)
    if cu_seqlens is None:
        num_seqs, max_q, max_k = q.shape[0], q.shape[1], k.shape[1]
        total_q = num_seqs * max_q
    else:
        num_seqs, max_q, max_k, total_q = cu_seqlens.numel() - 1, max_seqlen, max_seqlen, q.shape[0]
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    dq_accum = torch.empty(total_q, hq, d, device=q.device, dtype=torch.float32)
    delta = torch.empty(hq, total_q, device=q.device, dtype=torch.float32)
    params = _params(q, k, v, o, lse, cu_seqlens, total_q, max_q, max_k, causal, scale, num_seqs,
                     dout, dq, dk, dv, dq_accum, delta)
    s = _suffix(q)
    _launch(f"flash_bwd_dot_do_o_{s}", ((total_q * hq + 3) // 4, 1, 1), 0, params)
    shared = 4 * BLOCK * (d + PAD) * 2 + BLOCK * (BLOCK + PAD) * 2 + 2 * BLOCK * 4
    _launch(f"flash_bwd_{s}_hd{d}", ((max_k + BLOCK - 1) // BLOCK, num_seqs, k.shape[-2]), shared, params)
    _launch(f"flash_bwd_convert_dq_{s}", ((total_q * hq * d + THREADS - 1) // THREADS, 1, 1), 0, params)
    return dq, dk, dv
