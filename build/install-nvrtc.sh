#!/usr/bin/env bash
# Installs NVRTC (the CUDA run-time compiler) into <repo>/.tools/nvrtc without a GPU and without
# touching the system's apt configuration: Debian 13's libnvrtc12 packages run on Debian 12, so we
# resolve them with a private sources list and private apt state, download the .debs and unpack
# them with dpkg -x. Idempotent: a second run with the library present does nothing.
# Usage: build/install-nvrtc.sh            (CI calls this before the tests)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo/.tools/nvrtc"
marker="$dest/.installed"

if [[ -f "$marker" ]] && compgen -G "$dest/usr/lib/x86_64-linux-gnu/libnvrtc.so.*" > /dev/null; then
    echo "NVRTC already installed in $dest"
    exit 0
fi

work="$repo/.tools/nvrtc-apt"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$dest"
cat > "$work/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main contrib non-free
SOURCES

apt_opts=(
    -o "Dir::Etc::SourceList=$work/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::State::Status=/var/lib/dpkg/status"
    -o "Dir::Cache=$work/cache"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=$(id -un)"
)

apt-get "${apt_opts[@]}" -qq update

# Pick the libnvrtc-builtins package that the chosen libnvrtc12 depends on (e.g. libnvrtc-builtins12.4).
builtins="$(apt-cache "${apt_opts[@]}" depends libnvrtc12 | sed -n 's/^ *Depends: \(libnvrtc-builtins[0-9.]*\).*/\1/p' | head -n1)"
if [[ -z "$builtins" ]]; then
    echo "install-nvrtc: could not find libnvrtc-builtins in the dependencies of libnvrtc12" >&2
    exit 1
fi

(cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download libnvrtc12 "$builtins")
for deb in "$work/debs"/*.deb; do
    dpkg -x "$deb" "$dest"
done

lib="$(ls "$dest"/usr/lib/x86_64-linux-gnu/libnvrtc.so.* | head -n1)"
echo "installed $(basename "$lib") ($builtins) into $dest"
touch "$marker"
