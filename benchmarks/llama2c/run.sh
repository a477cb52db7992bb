#!/usr/bin/env bash
# Side-by-side float32 decode: llama2.c's run.c against the Prem.Llm CPU engine at the 42M and 110M
# shapes. Not run in CI. Builds llama2.c outside the repository (in $WORK, default /tmp/llama2c).
#
#   LLAMA2C_SRC=/path/to/llama2.c (a checkout) or LLAMA2C_GIT=/path/to/llama2.c.git (a bare git dir),
#   else it clones https://github.com/karpathy/llama2.c.
#   THREADS="2 1" (thread counts to run), STEPS=256 (tokens per llama2.c run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${WORK:-/tmp/llama2c}"
threads="${THREADS:-2 1}"
steps="${STEPS:-256}"
mkdir -p "$work"

if [[ ! -f "$work/run.c" ]]; then
  if [[ -n "${LLAMA2C_SRC:-}" ]]; then cp -r "$LLAMA2C_SRC"/. "$work"/
  elif [[ -n "${LLAMA2C_GIT:-}" ]]; then git --git-dir="$LLAMA2C_GIT" archive HEAD | tar -x -C "$work"
  else git clone --depth 1 https://github.com/karpathy/llama2.c "$work"
  fi
fi
# As llama2.c's Makefile target runomp.
(cd "$work" && gcc -Ofast -fopenmp -march=native run.c -lm -o run)

dotnet build -c Release "$repo/benchmarks/Prem.Llm.Benchmarks" > /dev/null
bench="$(find "$repo/benchmarks/Prem.Llm.Benchmarks/bin/Release" -name Prem.Llm.Benchmarks.dll | head -1)"

for shape in 42M 110M; do
  [[ -f "$work/$shape.bin" ]] || python3 "$here/write_checkpoint.py" "$shape" "$work/$shape.bin"
  for t in $threads; do
    echo "== $shape float32, $t thread(s); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    # -t 0: greedy; -n: steps; llama2.c prints "achieved tok/s" on stderr (timer from the 2nd token).
    llama=$(cd "$work" && OMP_NUM_THREADS=$t ./run "$shape.bin" -t 0 -n "$steps" -i "Once upon a time" 2>&1 >/dev/null | grep "achieved tok/s" || true)
    echo "llama2.c: ${llama:-no tok/s line (see $work)}"
    echo "Prem.Llm engine (cpu-decode-smoke, 32-token context, 64 steps):"
    PREM_CPU_THREADS=$t dotnet "$bench" cpu-decode-smoke "$shape" float32 1 64 | grep -E "^decode|read probe"
  done
done
