#!/usr/bin/env bash
# Installs the MPI implementations the distributed tests run under:
#  - Open MPI from Debian (openmpi-bin, libopenmpi-dev) into the system, if mpirun is missing;
#  - Debian's MPICH (mpich, libmpich12 and Hydra) unpacked into <repo>/.tools/mpich with dpkg -x,
#    without installing it, so both ABI families (Open MPI's exported-global handles and MPICH's
#    integer handles) are exercised on one machine without the two fighting over /usr/bin/mpirun.
# Idempotent: a second run with both present does nothing. Needs root for the Open MPI part.
# Usage: build/install-mpi.sh            (CI calls this before the tests)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v mpirun >/dev/null || ! ldconfig -p | grep -q 'libmpi\.so\.40'; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openmpi-bin libopenmpi-dev
fi
echo "Open MPI: $(mpirun --allow-run-as-root --version 2>/dev/null | head -n1)"

dest="$repo/.tools/mpich"
marker="$dest/.installed"
if [[ -f "$marker" ]] && compgen -G "$dest/usr/lib/x86_64-linux-gnu/libmpich.so.12*" > /dev/null; then
    echo "MPICH already unpacked in $dest"
    exit 0
fi

work="$repo/.tools/mpich-apt"
mkdir -p "$work/debs" "$dest"
[[ -d /var/lib/apt/lists ]] && compgen -G "/var/lib/apt/lists/*Packages*" > /dev/null || apt-get update -qq
# mpich: mpiexec.hydra and hydra_pmi_proxy; libmpich12: the library; libmpich-dev: mpi.h (for checking
# the handle constants); hwloc and libfabric are MPICH's own run-time dependencies that Open MPI does
# not always pull in.
pkgs=(mpich libmpich12 libmpich-dev)
(cd "$work/debs" && apt-get -o APT::Sandbox::User=root download -qq "${pkgs[@]}")
for deb in "$work/debs"/*.deb; do
    dpkg -x "$deb" "$dest"
done
# MPICH's own run-time libraries (hwloc, libfabric, ...) that are not on the system yet: unpack
# them too, found by what the dynamic loader cannot resolve.
libdir="$dest/usr/lib/x86_64-linux-gnu"
for _ in 1 2 3; do
    missing="$(LD_LIBRARY_PATH="$libdir" ldd "$libdir"/libmpich.so.12 "$dest"/usr/bin/hydra_pmi_proxy "$dest"/usr/bin/mpiexec.hydra 2>/dev/null \
        | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | sort -u)"
    [[ -z "$missing" ]] && break
    for so in $missing; do
        pkg="$(apt-cache search --names-only "^lib$(echo "${so%%.so*}" | sed 's/^lib//')[0-9.-]*$" | awk '{print $1}' | head -n1)"
        [[ -n "$pkg" ]] && (cd "$work/debs" && apt-get -o APT::Sandbox::User=root download -qq "$pkg") && dpkg -x "$work/debs/${pkg}"_*.deb "$dest"
    done
done
ls "$dest"/usr/lib/x86_64-linux-gnu/libmpich.so.12* > /dev/null
echo "unpacked MPICH (${pkgs[*]}) into $dest"
touch "$marker"
