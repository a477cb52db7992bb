#!/usr/bin/env bash
# Builds everything the GPU check (run.sh) needs beyond the repository, under the ignored benchmarks/gpu/bin/:
#   bin/Prem.Llm.Cuda.Harness   the NativeAOT kernel harness (build-harness.sh);
#   bin/devicecheck/            the TorchSharp check app, self-contained and trimmed, without LibTorch (it loads the
#                               GPU machine's PyTorch libraries), plus the CPU loss trajectories it compares against,
#                               computed here through the same external-LibTorch loader on the CPU LibTorch from the
#                               NuGet cache (cpu-reference.json; that run's report: cpu-run.txt / cpu-run.json).
# Run on a machine with the .NET SDK; carry benchmarks/gpu/bin to the GPU machine. Prints the bundle's size.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/bin/devicecheck"
[[ -x "$here/bin/Prem.Llm.Cuda.Harness" && -z "${PREM_REBUILD_HARNESS:-}" ]] || "$here/build-harness.sh"
rm -rf "$out"
dotnet publish "$here/devicecheck/Prem.Llm.DeviceCheck.csproj" -c Release -r linux-x64 --self-contained \
    -p:PublishTrimmed=true -p:TrimMode=partial -p:DebugType=none -o "$out" \
    -p:EnableTrimAnalyzer=false -p:EnableAotAnalyzer=false -p:EnableSingleFileAnalyzer=false
# The app must carry no LibTorch of its own (TorchSharp's probing would load it beside the GPU machine's).
rm -f "$out"/libtorch*.so "$out"/libc10*.so "$out"/libgomp*.so* "$out"/*.pdb
# Nor what a run never loads: debugger and tracing support, the standalone GCs, XML docs, the harness's symbols
# (the bundle and the repository must fit the 64 MiB that goes to the GPU machine).
rm -f "$out"/libmscordaccore.so "$out"/libmscordbi.so "$out"/libcoreclrtraceptprovider.so "$out"/libclrgc*.so \
    "$out"/createdump "$out"/*.xml "$here/bin/Prem.Llm.Cuda.Harness.dbg"
cpu_torch="$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native | tail -n1)"
steps="${PREM_CHECK_STEPS:-30}"
"$out/Prem.Llm.DeviceCheck" --torch-lib "$cpu_torch" --write-reference "$out/cpu-reference.json" --steps "$steps" \
    --out "$out/cpu-run.json" | tee "$out/cpu-run.txt"
du -sb "$here/bin" "$out" | awk '{ printf "%.1f MiB  %s\n", $1 / 1048576, $2 }' | tee "$out/size.txt"
