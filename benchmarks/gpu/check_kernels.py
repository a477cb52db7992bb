"""Correctness of our kernels (via CuPy/NVRTC) against torch SDPA with enable_gqa=True and autograd.
Pass: ||out - ref|| / ||ref|| <= 1e-2 for bf16 outputs and each gradient, and no NaN.
The reference runs in float32 on the same bf16 inputs. Usage: python3 check_kernels.py [--quick]"""
import argparse
import sys

import torch
import torch.nn.functional as F

import flash_cupy

TOL = 1e-2


def rel(a, b):
    return ((a.float() - b.float()).norm() / b.float().norm().clamp_min(1e-30)).item()


def sdpa_reference(q, k, v, dout, causal):
    """q [B, L, Hq, D] bf16 -> float32 SDPA output and gradients, token-major like ours."""
    qf, kf, vf = (t.detach().float().transpose(1, 2).requires_grad_() for t in (q, k, v))
    out = F.scaled_dot_product_attention(qf, kf, vf, is_causal=causal, enable_gqa=True)
    out.backward(dout.float().transpose(1, 2))
    back = lambda t: t.transpose(1, 2)
    return back(out.detach()), back(qf.grad), back(kf.grad), back(vf.grad)


def check(name, ours, refs):
    errors = {n: rel(a, b) for n, a, b in zip(("out", "dq", "dk", "dv"), ours, refs)}
    nan = any(torch.isnan(t).any().item() for t in ours)
    ok = not nan and all(e <= TOL for e in errors.values())
    print(f"{'PASS' if ok else 'FAIL'} {name}: " + ", ".join(f"{n} {e:.2e}" for n, e in errors.items())
          + (" NaN!" if nan else ""), flush=True)
    return ok


def fixed_case(b, l, hq, hkv, d, causal, dtype=torch.bfloat16):
    g = torch.Generator(device="cuda").manual_seed(l * 131 + hq * 7 + d + causal)
    mk = lambda h: torch.randn(b, l, h, d, device="cuda", dtype=dtype, generator=g)
    q, k, v, dout = mk(hq), mk(hkv), mk(hkv), mk(hq)
    o, lse = flash_cupy.forward(q, k, v, causal)
    dq, dk, dv = flash_cupy.backward(q, k, v, o, lse, dout, causal)
    torch.cuda.synchronize()
    return check(f"B{b} L{l} Hq{hq} Hkv{hkv} D{d} causal={causal} {dtype}", (o, dq, dk, dv),
                 sdpa_reference(q, k, v, dout, causal))


def varlen_case(lengths, hq, hkv, d, causal):
    g = torch.Generator(device="cuda").manual_seed(sum(lengths) + hq + d)
    total = sum(lengths)
    mk = lambda h: torch.randn(total, h, d, device="cuda", dtype=torch.bfloat16, generator=g)
    q, k, v, dout = mk(hq), mk(hkv), mk(hkv), mk(hq)
    cu = torch.tensor([0] + list(torch.tensor(lengths).cumsum(0)), device="cuda", dtype=torch.int32)
    o, lse = flash_cupy.forward(q, k, v, causal, cu_seqlens=cu, max_seqlen=max(lengths))
    dq, dk, dv = flash_cupy.backward(q, k, v, o, lse, dout, causal, cu_seqlens=cu, max_seqlen=max(lengths))
    torch.cuda.synchronize()
    refs = [[], [], [], []]
    for s, e in zip(cu[:-1].tolist(), cu[1:].tolist()):  # each document alone: no attention across documents
        parts = sdpa_reference(q[None, s:e], k[None, s:e], v[None, s:e], dout[None, s:e], causal)
        for acc, t in zip(refs, parts):
            acc.append(t[0])
    refs = [torch.cat(r, 0) for r in refs]
    return check(f"varlen {lengths} Hq{hq} Hkv{hkv} D{d} causal={causal}", (o, dq, dk, dv), refs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few small cases (for compute-sanitizer)")
    args = parser.parse_args()
    flash_cupy.module()
    results = []
    if args.quick:
        results.append(fixed_case(1, 130, 4, 2, 64, True))
        results.append(varlen_case([5, 70, 1, 64], 4, 1, 128, True))
    else:
        for d in (64, 128):
            for causal in (True, False):
                for ratio in (1, 4, 8):
                    for l in (128, 1000, 8192):
                        b = 2 if l <= 1000 else 1
                        results.append(fixed_case(b, l, 8, 8 // ratio, d, causal))
                results.append(varlen_case([1, 17, 64, 65, 300, 1029], 8, 2, d, causal))
                results.append(varlen_case([4096, 3, 2000, 127], 8, 1, d, causal))
        results.append(fixed_case(2, 512, 8, 2, 64, True, torch.float16))
        results.append(fixed_case(1, 777, 4, 4, 128, False, torch.float16))
    failed = results.count(False)
    print(f"check_kernels: {len(results) - failed}/{len(results)} cases pass", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
