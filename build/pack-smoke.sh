#!/usr/bin/env bash
# Packs every package (Prem.Llm, Prem.Llm.Cuda, Prem.Llm.Recipes, Prem.Llm.Reporting, Prem.Llm.AI, Prem.Llm.Server and the `prem`
# tool Prem.Llm.Cli) with one version into a local folder feed, checks each package's metadata, builds
# and runs a fresh project that consumes Prem.Llm from the feed (with its buildTransitive TorchSharp
# fix) against the golden logits, does the same for a project that references Prem.Llm.csproj from
# outside the repository (and checks the PremPatchLibTorchSharp opt-out), then installs the tool from
# the feed and runs it (generate, and eval on the evaluation sets shipped inside the tool).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "pack-smoke: $*" >&2; exit 1; }

# One version for everything: Directory.Build.props's, with a CI suffix so the local feed never
# collides with a cached package.
base=$(dotnet msbuild "$root/src/Prem.Llm/Prem.Llm.csproj" -getProperty:Version)
[ -n "$base" ] || fail "no Version in Directory.Build.props"
libraries=(Prem.Llm Prem.Llm.Cuda Prem.Llm.Recipes Prem.Llm.Reporting Prem.Llm.AI Prem.Llm.Server)
for p in "${libraries[@]}"; do
  v=$(dotnet msbuild "$root/src/$p/$p.csproj" -getProperty:Version)
  [ "$v" = "$base" ] || fail "$p has version $v, Prem.Llm has $base"
done
v=$(dotnet msbuild "$root/samples/Prem.Llm.Cli/Prem.Llm.Cli.csproj" -getProperty:Version)
[ "$v" = "$base" ] || fail "Prem.Llm.Cli has version $v, Prem.Llm has $base"
version="$base-ci.$(date +%s)"

for p in "${libraries[@]}"; do
  dotnet pack "$root/src/$p/$p.csproj" -c Release -o "$work/feed" -p:Version="$version" --nologo -v q
done
dotnet pack "$root/samples/Prem.Llm.Cli/Prem.Llm.Cli.csproj" -c Release -o "$work/feed" -p:Version="$version" --nologo -v q
echo "pack-smoke: packages ($version):"
ls -l "$work/feed" | awk 'NR > 1 { printf "  %8.1f MB  %s\n", $5 / 1048576, $9 }'

# Metadata a consumer checks, on every package.
for p in "${libraries[@]}" Prem.Llm.Cli; do
  pkg="$work/feed/$p.$version.nupkg"
  [ -f "$pkg" ] || fail "$p.$version.nupkg was not packed"
  nuspec=$(unzip -p "$pkg" "$p.nuspec")
  has() { grep -qF -- "$1" <<<"$nuspec" || fail "$p.nuspec lacks $1"; }
  has "<id>$p</id>"
  has "<version>$version</version>"
  has '<license type="expression">Apache-2.0</license>'
  has '<readme>README.md</readme>'
  grep -qE '<description>[^<]{20,}</description>' <<<"$nuspec" || fail "$p.nuspec has no description"
  grep -qE '<tags>[^<]+</tags>' <<<"$nuspec" || fail "$p.nuspec has no tags"
  # SourceLink's repository element: the commit in a git checkout, the URL when it has a hosted remote.
  if git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
    grep -qE '<repository type="git"[^>]* commit="[0-9a-f]{40}"' <<<"$nuspec" || fail "$p.nuspec has no repository commit"
  fi
  # SourceLink only turns a hosted remote (https://, ssh, git@) into a URL; a clone of a local folder has none.
  if git -C "$root" remote get-url origin 2>/dev/null | grep -qE '^(https?|ssh|git)://|^git@'; then
    grep -qE '<repository type="git"[^>]* url="[^"]+"' <<<"$nuspec" || fail "$p.nuspec has no repository URL"
  fi
  unzip -l "$pkg" > "$work/contents.txt"
  for f in README.md LICENSE; do
    grep -q " $f\$" "$work/contents.txt" || fail "$f missing from $p"
  done
  if [ "$p" != Prem.Llm.Cli ]; then
    grep -q " lib/net10.0/$p.dll\$" "$work/contents.txt" || fail "lib/net10.0/$p.dll missing from $p"
    grep -q " lib/net10.0/$p.xml\$" "$work/contents.txt" || fail "lib/net10.0/$p.xml missing from $p"
    snupkg="$work/feed/$p.$version.snupkg"
    [ -f "$snupkg" ] || fail "$p has no symbols package"
    unzip -l "$snupkg" > "$work/symbols.txt"
    grep -q " lib/net10.0/$p.pdb\$" "$work/symbols.txt" || fail "$p.snupkg has no PDB"
  fi
done

# Prem.Llm's own contents: the build step for consumers.
unzip -l "$work/feed/Prem.Llm.$version.nupkg" > "$work/contents.txt"
for f in buildTransitive/Prem.Llm.targets buildTransitive/ElfWeakVersionPatch.cs; do
  grep -q " $f\$" "$work/contents.txt" || fail "$f missing from Prem.Llm"
done

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
dotnet run --project "$work/PackSmoke.csproj" -p:PremVersion="$version" -- "$root/tests/Prem.Llm.Tests/Data/tiny-gqa"

# A consumer outside the repository that references Prem.Llm.csproj (not the package) and imports the
# build step as the README says: its LibTorchSharp is patched, and the opt-out leaves it as shipped.
mkdir "$work/projref"
cp "$root/build/pack-smoke/ProjectReferenceSmoke.csproj" "$root/build/pack-smoke/Program.cs" "$work/projref/"
dotnet build "$work/projref/ProjectReferenceSmoke.csproj" -p:PremRoot="$root" --nologo -v q
system_has_version=false
for so in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6; do
  [ -f "$so" ] && grep -qa GLIBCXX_3.4.32 "$so" && system_has_version=true
done
projref_lib="$work/projref/bin/Debug/net10.0/linux-x64/libLibTorchSharp.so"
if command -v readelf >/dev/null && [ "$system_has_version" = false ]; then
  readelf -V "$projref_lib" > "$work/versions.txt"
  grep -q "Name: GLIBCXX_3.4.32  Flags: WEAK" "$work/versions.txt" || fail "the ProjectReference consumer's libLibTorchSharp.so is not patched"
fi
dotnet "$work/projref/bin/Debug/net10.0/linux-x64/ProjectReferenceSmoke.dll" "$root/tests/Prem.Llm.Tests/Data/tiny-gqa"
if command -v readelf >/dev/null; then
  dotnet build "$work/projref/ProjectReferenceSmoke.csproj" -p:PremRoot="$root" -p:PremPatchLibTorchSharp=false --nologo -v q
  readelf -V "$projref_lib" > "$work/versions.txt"
  grep -q "Name: GLIBCXX_3.4.32  Flags: none" "$work/versions.txt" || fail "PremPatchLibTorchSharp=false still patched libLibTorchSharp.so"
fi

# The tool: install from the local feed, as a user would, and run it from outside the repository.
dotnet tool install --tool-path "$work/tool" --add-source "$work/feed" Prem.Llm.Cli --version "$version"
cd "$work"
printed=$("$work/tool/prem" --version)
case "$printed" in
  "$version" | "$version+"*) ;;
  *) fail "prem --version printed '$printed', the packages are $version" ;;
esac
# The tool's own copy of libLibTorchSharp.so carries the Debian 12 / Ubuntu 22.04 fix.
lib=$(find "$work/tool/.store" -name libLibTorchSharp.so | head -n 1)
[ -n "$lib" ] || fail "the installed tool has no libLibTorchSharp.so"
if command -v readelf >/dev/null && [ "$system_has_version" = false ]; then
  readelf -V "$lib" > "$work/versions.txt"
  grep -q "Name: GLIBCXX_3.4.32  Flags: WEAK" "$work/versions.txt" || fail "the tool's libLibTorchSharp.so is not patched"
fi
"$work/tool/prem" generate --model "$root/tests/Prem.Llm.Tests/Data/stories260K" --prompt "Once upon a time" \
  --max-new-tokens 16 --weights int8 --stats > "$work/generated.txt" 2> "$work/stats.txt"
[ -s "$work/generated.txt" ] || fail "prem generate printed nothing"
cat "$work/stats.txt"
# Built where a C compiler was present, the package carries the CPU kernels, and the installed tool loads them: its int8
# kernel on a CPU with AVX512-VNNI.
if command -v cc >/dev/null && [ "$(uname -m)" = x86_64 ]; then
  unzip -l "$work/feed/Prem.Llm.$version.nupkg" > "$work/prem-llm-contents.txt"
  grep -q " runtimes/linux-x64/native/libprem_cpu_kernels.so$" "$work/prem-llm-contents.txt" || fail "Prem.Llm lacks runtimes/linux-x64/native/libprem_cpu_kernels.so"
  if grep -qw avx512_vnni /proc/cpuinfo; then
    grep -q "(avx512-vnni kernels)" "$work/stats.txt" || fail "the installed tool did not load its CPU kernels"
  fi
fi
echo "pack-smoke: prem $printed generated: $(head -c 200 "$work/generated.txt")"
# The evaluation sets ship inside the tool (data/eval next to prem.dll): from outside the repository, with no
# --data-dir, `prem eval` finds them there. Two documents of one task keep this to seconds.
tool_dir=$(dirname "$(find "$work/tool/.store" -name prem.dll | head -n 1)")
for f in README.md arc_easy/test.jsonl arc_challenge/test.jsonl openbookqa/test.jsonl piqa/validation.jsonl \
         winogrande/validation.jsonl mmlu/test.jsonl; do
  [ -s "$tool_dir/data/eval/$f" ] || fail "the installed tool has no data/eval/$f"
done
[ ! -e "$work/data" ] || fail "$work/data exists: prem eval could find the sets there instead of in the tool"
"$work/tool/prem" eval --model "$root/tests/Prem.Llm.Tests/Data/stories260K" --tasks arc_easy --limit 2 \
  --output "$work/eval.json" > "$work/eval.txt" 2> "$work/eval.err" || { cat "$work/eval.err" >&2; fail "prem eval failed"; }
grep -q '(2 documents in ' "$work/eval.txt" || fail "prem eval did not score 2 documents: $(cat "$work/eval.txt")"
grep -q '"arc_easy"' "$work/eval.json" || fail "prem eval wrote no arc_easy result"
echo "pack-smoke: prem eval from the tool's data/eval: $(tail -n 1 "$work/eval.txt")"
echo "pack-smoke: ok"
