#!/usr/bin/env bash
# The GPU check, in one call of at most 6 minutes on one H100/H200 with PyTorch (CUDA), CuPy, Triton, nvcc and
# compute-sanitizer, and no .NET and no network. Build its bundle first on a machine with .NET
# (benchmarks/gpu/build-bundle.sh → the ignored benchmarks/gpu/bin/) and carry benchmarks/gpu/bin along.
#   1. kernels: the NativeAOT harness vs the CPU reference; check_kernels.py (same .cu via CuPy/NVRTC vs SDPA and
#      autograd over the grid); bench_kernels.py (timings vs SDPA's backends and Triton; targets fwd ≥ 1.2×,
#      bwd ≥ 1.0× the best SDPA); compute-sanitizer memcheck on check_kernels.py --quick;
#   2. devicecheck: the trimmed self-contained .NET app on this machine's PyTorch libraries (torch/lib): what of
#      TorchSharp 0.107 (built for LibTorch 2.10) works on them, our flash kernel through TorchSharp tensors, a tiny
#      model trained on CUDA with eager / SDPA / flash against the CPU's loss trajectory (shipped in the bundle),
#      and 1.1B-shape bf16 steps (seq 2048 and 8192, checkpointing) for MFU and memory against the planner;
#   3. everything in one file: $OUT/results.md (each step's log is kept beside it).
# Exit code: number of failed steps.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/../../gpu-results}"
mkdir -p "$out"
cd "$here"
failed=0
started=$(date +%s)
summary=()

# Our runtime searches pip's nvidia/*/lib; the machine's NVRTC is CUDA 13 (libnvrtc.so.13).
if [[ -z "${PREM_NVRTC_PATH:-}" ]]; then
    nvrtc="$(ls /usr/local/cuda*/lib64/libnvrtc.so.1[0-9]* 2>/dev/null | grep -v builtins | head -n1)"
    [[ -n "$nvrtc" ]] && export PREM_NVRTC_PATH="$nvrtc"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$out/gpu.txt"
torch_lib="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' 2>&1 | tee -a "$out/gpu.txt"

step() {  # step <name> <timeout seconds> <command...>
    local name="$1" limit="$2"; shift 2
    echo "=== $name ($(date +%T), limit ${limit}s)"
    timeout "$limit" "$@" 2>&1 | tee "$out/$name.log"
    local rc=${PIPESTATUS[0]}
    echo "=== $name exit $rc"
    [[ $rc -ne 0 ]] && failed=$((failed + 1))
    summary+=("| $name | $([[ $rc -eq 0 ]] && echo pass || echo "FAIL (exit $rc$([[ $rc -eq 124 ]] && echo ', timed out'))") |")
}

if [[ -x bin/Prem.Llm.Cuda.Harness ]]; then
    step harness 30 bin/Prem.Llm.Cuda.Harness
else
    echo "=== harness: bin/Prem.Llm.Cuda.Harness missing; run benchmarks/gpu/build-bundle.sh first"
    failed=$((failed + 1)); summary+=("| harness | FAIL (not built) |")
fi
step check 100 python3 check_kernels.py
step bench 70 python3 bench_kernels.py
# The speed targets, read from bench's ratio lines.
for kind in fwd:1.2 bwd:1.0; do
    k="${kind%%:*}" target="${kind##*:}"
    ratio="$(grep -oP "ratio $k vs best SDPA \([^)]*\): \K[0-9.]+" "$out/bench.log" | head -n1)"
    if [[ -n "$ratio" ]] && python3 -c "import sys; sys.exit(0 if $ratio >= $target else 1)"; then
        summary+=("| bench $k ≥ ${target}× | pass (${ratio}×) |")
    else
        failed=$((failed + 1)); summary+=("| bench $k ≥ ${target}× | FAIL (${ratio:-no ratio}×) |")
    fi
done
step sanitizer 40 compute-sanitizer --tool memcheck --error-exitcode 1 python3 check_kernels.py --quick
if [[ -x bin/devicecheck/Prem.Llm.DeviceCheck ]]; then
    step devicecheck 120 bin/devicecheck/Prem.Llm.DeviceCheck --torch-lib "$torch_lib" --reference bin/devicecheck/cpu-reference.json \
        --expect-cuda --steps "$(python3 -c 'import json; print(len(json.load(open("bin/devicecheck/cpu-reference.json"))["sdpa"]))' 2>/dev/null || echo 30)" \
        --out "$out/devicecheck.json"
else
    echo "=== devicecheck: bin/devicecheck missing; run benchmarks/gpu/build-bundle.sh first"
    failed=$((failed + 1)); summary+=("| devicecheck | FAIL (not built) |")
fi

{
    echo "# GPU check results ($(date -u +%FT%TZ), $(( $(date +%s) - started )) s)"
    echo
    echo '```'; cat "$out/gpu.txt"; echo '```'
    echo
    echo "| step | result |"; echo "|------|--------|"
    printf '%s\n' "${summary[@]}"
    echo
    echo "## CPU run of the bundle (built with it)"
    echo '```'; cat bin/devicecheck/cpu-run.txt 2>/dev/null; echo '```'
    for name in harness check bench sanitizer devicecheck; do
        [[ -f "$out/$name.log" ]] || continue
        echo; echo "## $name"; echo '```'; tail -n 60 "$out/$name.log"; echo '```'
    done
    if [[ -f "$out/devicecheck.json" ]]; then echo; echo "## devicecheck.json"; echo '```json'; cat "$out/devicecheck.json"; echo '```'; fi
} > "$out/results.md"
echo "run.sh: $failed step(s) failed; results in $out/results.md"
exit "$failed"
