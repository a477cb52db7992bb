#!/usr/bin/env bash
# Publishes the GPU harness as a NativeAOT executable into benchmarks/gpu/bin/ (run this on a machine
# with the .NET SDK before a GPU run; the GPU machine has no .NET). The binary needs only libcuda and
# NVRTC at run time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dotnet publish "$here/harness/Prem.Llm.Cuda.Harness.csproj" -c Release -r linux-x64 -p:PublishAot=true \
    -p:InvariantGlobalization=true -o "$here/bin" "$@"
ls -l "$here/bin/Prem.Llm.Cuda.Harness"
