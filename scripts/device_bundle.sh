#!/usr/bin/env bash
# Builds the device bundle: the nn runtime's GPU tests and nn_bench, linked
# --as-needed with RPATH $ORIGIN/lib, the shared libraries they need beside
# them (not the C library, not the CUDA driver, not cuBLAS: the device's
# CUDA has it, and run_tests.sh finds it there), and the models the tests
# read, in one folder under 60 MiB that runs on a machine with a GPU and
# none of Debian's libraries.
# Usage: device_bundle.sh [OUT_DIR]   (default build/devbundle)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/devbundle}
build=$root/build/release
npm=${FT_NPM_MODELS_DIR:-$root/build/models}
[ -f "$npm/face_detection_short_range.tflite" ] || npm=$root/../main/build/models
shared=${FT_SHARED_DIR:-$root/../shared}
programs=(tests/test_nn_ops tests/test_nn_batch tests/test_nn_cuda_models bin/nn_bench)

bash "$root/scripts/build.sh" release >/dev/null
cmake --build "$build" --target test_nn_ops test_nn_batch test_nn_cuda_models nn_bench >/dev/null
rm -rf "$out"
mkdir -p "$out/lib" "$out/models/npm" "$out/shared/models"
for p in "${programs[@]}"; do
    cp "$build/$p" "$out/"
done
# Libraries the programs load, but those every Linux has (the C library
# family), the driver's libcuda, and cuBLAS (hundreds of MiB; the device
# has CUDA 13's).
skip='^(linux-vdso|libc\.|libm\.|libpthread\.|libdl\.|librt\.|ld-linux|libcuda\.|libcublas)'
for p in "${programs[@]}"; do
    ldd "$build/$p" | awk '$3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
    if ! [[ $name =~ $skip ]]; then
        cp -L "$path" "$out/lib/$name"
    fi
done
cp "$npm"/face_detection_short_range.tflite "$npm"/face_detection_full_range.tflite \
   "$npm"/face_landmark_with_attention.tflite "$npm"/face_mesh_solution_packed_assets.data \
   "$out/models/npm/"
cp "$shared/models/face_landmarker_v2_with_blendshapes.task" "$out/shared/models/"
cp "$root/scripts/device_run_tests.sh" "$out/run_tests.sh"
size=$(du -sm "$out" | cut -f1)
echo "device bundle: $out ($size MiB)"
if [ "$size" -ge 60 ]; then
    echo "device_bundle.sh: the bundle is $size MiB, over 60" >&2
    exit 1
fi
