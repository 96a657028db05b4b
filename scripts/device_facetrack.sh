#!/usr/bin/env bash
# The device bundle's `facetrack` (scripts/device_bundle.sh copies it in as
# bin/facetrack, beside the real program, bin/facetrack.bin): finds the
# CUDA libraries of the machine, points the program at the bundle's
# libraries and models, and runs it with the arguments given.
#
# LD_LIBRARY_PATH becomes, in this order:
#   1. the bundle's lib/ (the Debian libraries the program was linked with;
#      none of them is one of NVIDIA's, so nothing below is shadowed),
#   2. the folder of each CUDA library the program or its cuBLAS loads
#      (libcublas.so.13, libcublasLt.so.13; libcudart.so.13 and
#      libcudnn.so.9 where present), the first found among
#      $FACETRACK_CUDA_LIBS (colon-separated), $CUDA_HOME/lib64,
#      /usr/local/cuda/lib64, /usr/local/cuda-13*/lib64, and the
#      nvidia/*/lib folders of python3's site-packages (the NVIDIA wheels
#      that PyTorch installs; also looked for without python3 on PATH),
#   3. the caller's LD_LIBRARY_PATH.
# FACETRACK_MODEL_PATH gets the bundle's model folders after the caller's.
# The C library and the driver's libcuda are the machine's own.
set -euo pipefail
bin=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
here=$(dirname "$bin")

candidates=()
IFS=: read -r -a extra <<<"${FACETRACK_CUDA_LIBS:-}"
candidates+=("${extra[@]}")
[ -n "${CUDA_HOME:-}" ] && candidates+=("$CUDA_HOME/lib64" "$CUDA_HOME/lib")
candidates+=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64)
site_dirs=$(python3 -c 'import site; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null || true)
while IFS= read -r s; do
    [ -n "$s" ] && candidates+=("$s"/nvidia/*/lib "$s"/nvidia/cu13/lib*)
done <<<"$site_dirs"
candidates+=(/usr/local/lib/python3*/dist-packages/nvidia/*/lib /usr/lib/python3/dist-packages/nvidia/*/lib
    /opt/conda/lib/python3*/site-packages/nvidia/*/lib /usr/local/lib/python3*/site-packages/nvidia/*/lib)

find_dir() { # SONAME: the first candidate folder that holds it
    local d
    for d in "${candidates[@]}"; do
        if [ -e "$d/$1" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

cuda_dirs=""
add_dir() { case ":$cuda_dirs:" in *":$1:"*) ;; *) cuda_dirs=${cuda_dirs:+$cuda_dirs:}$1 ;; esac; }
for soname in libcublas.so.13 libcublasLt.so.13; do
    if ! dir=$(find_dir "$soname"); then
        echo "facetrack: $soname (CUDA 13's cuBLAS) is not on this machine: looked in /usr/local/cuda*/lib64 and python3's nvidia/*/lib; name its folder in FACETRACK_CUDA_LIBS" >&2
        exit 127
    fi
    add_dir "$dir"
done
for soname in libcudart.so.13 libcudnn.so.9; do
    if dir=$(find_dir "$soname"); then add_dir "$dir"; fi
done

export LD_LIBRARY_PATH="$here/lib:$cuda_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export FACETRACK_MODEL_PATH="${FACETRACK_MODEL_PATH:+$FACETRACK_MODEL_PATH:}$here/models/npm:$here/shared/models"
exec "$bin/facetrack.bin" "$@"
