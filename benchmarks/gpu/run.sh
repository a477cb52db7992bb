#!/usr/bin/env bash
# The GPU check for Prem.Llm.Cuda, in one call of at most ~8 minutes on an H100:
#   1. the NativeAOT harness (benchmarks/gpu/bin/Prem.Llm.Cuda.Harness, built beforehand with
#      benchmarks/gpu/build-harness.sh on a machine with .NET) vs the CPU reference at small sizes;
#   2. check_kernels.py: the same kernel source through CuPy/NVRTC vs torch SDPA (enable_gqa) and
#      autograd over the issue's grid;
#   3. bench_kernels.py: timings vs SDPA's backends and a Triton forward at the TinyLlama shape;
#   4. compute-sanitizer memcheck on a few small cases.
# Each step's output goes to $OUT (or ./gpu-results) as well as the console. Exit code: number of failed steps.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/../../gpu-results}"
mkdir -p "$out"
cd "$here"
failed=0

# Our runtime searches pip's nvidia/*/lib; the machine's NVRTC is CUDA 13 (libnvrtc.so.13).
if [[ -z "${PREM_NVRTC_PATH:-}" ]]; then
    nvrtc="$(ls /usr/local/cuda*/lib64/libnvrtc.so.1[0-9]* 2>/dev/null | grep -v builtins | head -n1)"
    [[ -n "$nvrtc" ]] && export PREM_NVRTC_PATH="$nvrtc"
fi
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv | tee "$out/gpu.txt"

step() {  # step <name> <timeout seconds> <command...>
    local name="$1" limit="$2"; shift 2
    echo "=== $name ($(date +%T))"
    timeout "$limit" "$@" 2>&1 | tee "$out/$name.log"
    local rc=${PIPESTATUS[0]}
    echo "=== $name exit $rc"
    [[ $rc -ne 0 ]] && failed=$((failed + 1))
}

if [[ -x bin/Prem.Llm.Cuda.Harness ]]; then
    step harness 90 bin/Prem.Llm.Cuda.Harness
else
    echo "=== harness: bin/Prem.Llm.Cuda.Harness missing; run benchmarks/gpu/build-harness.sh first"
    failed=$((failed + 1))
fi
step check 200 python3 check_kernels.py
step bench 150 python3 bench_kernels.py
step sanitizer 60 compute-sanitizer --tool memcheck --error-exitcode 1 python3 check_kernels.py --quick
echo "run.sh: $failed step(s) failed"
exit "$failed"
