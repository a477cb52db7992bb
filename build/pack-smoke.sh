#!/usr/bin/env bash
# Packs Prem.Llm, then builds and runs a fresh project that consumes the package from a local folder
# feed (with its buildTransitive TorchSharp fix) and runs a forward pass against the golden logits.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-ci.$(date +%s)"
dotnet pack "$root/src/Prem.Llm/Prem.Llm.csproj" -c Release -o "$work/feed" -p:Version="$version" --nologo -v q
cp "$root/build/pack-smoke/PackSmoke.csproj" "$root/build/pack-smoke/Program.cs" "$work/"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
# Check the package's contents: library, XML docs, README, license, the build step.
unzip -l "$work/feed/Prem.Llm.$version.nupkg" > "$work/contents.txt"
for f in lib/net10.0/Prem.Llm.dll lib/net10.0/Prem.Llm.xml README.md LICENSE buildTransitive/Prem.Llm.targets buildTransitive/ElfWeakVersionPatch.cs; do
  grep -q " $f\$" "$work/contents.txt" || { echo "pack-smoke: $f missing from the package"; exit 1; }
done
dotnet run --project "$work/PackSmoke.csproj" -p:PremVersion="$version" -- "$root/tests/Prem.Llm.Tests/Data/tiny-gqa"
