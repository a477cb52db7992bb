#!/usr/bin/env python3
"""Write a random-weight Llama checkpoint in llama2.c's legacy .bin format (what run.c reads).

Standard library only (no numpy, no torch). Shapes are the CPU benchmarks' (CpuShapes.cs):
stories42M and stories110M, 32000-token vocabulary, tied classifier. Weights are N(0, 0.02) like
LlamaForCausalLM's initialisation, norms 1; the values are not bit-identical to the benchmark's
(decode speed does not depend on them).

Usage: write_checkpoint.py {42M|110M} OUT.bin [--seq-len 1024]
"""
import argparse
import array
import random
import struct
import sys

SHAPES = {
    #        dim, hidden, layers, heads, kv heads, vocab
    "42M": (512, 1376, 8, 8, 8, 32000),
    "110M": (768, 2048, 12, 12, 12, 32000),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("out")
    parser.add_argument("--seq-len", type=int, default=1024)
    args = parser.parse_args()
    dim, hidden, layers, heads, kv_heads, vocab = SHAPES[args.shape]
    head_size = dim // heads
    kv_dim = kv_heads * head_size

    # Pure-Python Gaussian sampling of ~100M values is slow, so one 1M-value pool is drawn once and
    # tensors are read from it at pseudo-random offsets.
    rng = random.Random(1)
    pool = array.array("f", (rng.gauss(0.0, 0.02) for _ in range(1 << 20)))
    pool2 = pool + pool  # any window of up to 1M values reads contiguously

    def write_random(f, count: int) -> None:
        while count > 0:
            n = min(count, 1 << 20)
            start = rng.randrange(1 << 20)
            pool2[start:start + n].tofile(f)
            count -= n

    def write_ones(f, count: int) -> None:
        (array.array("f", [1.0]) * count).tofile(f)

    with open(args.out, "wb") as f:
        # Config: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (> 0: classifier tied), seq_len.
        f.write(struct.pack("7i", dim, hidden, layers, heads, kv_heads, vocab, args.seq_len))
        write_random(f, vocab * dim)                   # token_embedding_table (also the classifier)
        write_ones(f, layers * dim)                    # rms_att_weight
        write_random(f, layers * dim * dim)            # wq
        write_random(f, layers * dim * kv_dim)         # wk
        write_random(f, layers * dim * kv_dim)         # wv
        write_random(f, layers * dim * dim)            # wo
        write_ones(f, layers * dim)                    # rms_ffn_weight
        write_random(f, layers * dim * hidden)         # w1 (gate)
        write_random(f, layers * hidden * dim)         # w2 (down)
        write_random(f, layers * dim * hidden)         # w3 (up)
        write_ones(f, dim)                             # rms_final_weight
        write_random(f, args.seq_len * head_size)      # legacy freq_cis_real + freq_cis_imag (skipped by run.c)
    params = vocab * dim + layers * (2 * dim * dim + 2 * dim * kv_dim + 3 * dim * hidden)
    print(f"wrote {args.out}: {args.shape}, {params / 1e6:.1f}M matrix parameters, seq_len {args.seq_len}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
