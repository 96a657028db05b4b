#!/usr/bin/env bash
# Configures and builds one variant into build/VARIANT.
# Usage: build.sh [release|asan]   (asan = AddressSanitizer + UBSan)
set -euo pipefail
variant=${1:-release}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$variant" in
    release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DFACETRACK_SANITIZE=ON) ;;
    *) echo "build.sh: unknown variant '$variant' (release or asan)" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
dir="$root/build/$variant"
if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
fi
cmake --build "$dir" --parallel "$(nproc)"
