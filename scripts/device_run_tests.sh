#!/usr/bin/env bash
# The device bundle's test runner (scripts/device_bundle.sh copies it in as
# run_tests.sh): finds cuBLAS on the machine, runs the GPU tests and the
# landmark model's benchmark, and writes the logs under $OUT (or
# ./device-results). Usage: bash run_tests.sh [tests|bench|all]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/device-results}
what=${1:-all}
mkdir -p "$out"
# cuBLAS 13: the CUDA toolkit's, else the one in python3's nvidia wheels.
blas=""
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64 \
    $(python3 -c 'import site, glob; print(" ".join(d for s in site.getsitepackages() for d in glob.glob(s + "/nvidia/*/lib") + glob.glob(s + "/nvidia/cu13/lib*")))' 2>/dev/null); do
    if [ -e "$dir/libcublas.so.13" ]; then
        blas=$dir
        break
    fi
done
export LD_LIBRARY_PATH="$here/lib${blas:+:$blas}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export FT_NPM_MODELS_DIR=$here/models/npm FT_SHARED_DIR=$here/shared FACETRACK_LOG_LEVEL=warn
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
    echo "cuBLAS from: ${blas:-not found}"
    nproc
} 2>&1 | tee "$out/env.txt"

status=0
run_test() {
    echo "== $1" | tee -a "$out/tests.txt"
    (cd "$here" && timeout "${2:-150}" "./$1") >>"$out/tests.txt" 2>&1
    local rc=$?
    echo "== $1 exit $rc" | tee -a "$out/tests.txt"
    [ $rc -eq 0 ] || status=1
}
if [ "$what" = tests ] || [ "$what" = all ]; then
    run_test test_nn_ops
    run_test test_nn_cuda_models
    grep -E "^(ok|FAIL|SKIP|PASSED|FAILED)|cases|skipped|\[  FAILED|claims|ERROR|fail" "$out/tests.txt"
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
    model="$FT_SHARED_DIR/models/face_landmarker_v2_with_blendshapes.task:face_landmarks_detector.tflite"
    for b in 1 8 64 256; do
        "$here/nn_bench" "$model" cuda $b 50 2>&1 | tee -a "$out/bench.txt"
        NN_BENCH_FP16=1 "$here/nn_bench" "$model" cuda $b 50 2>&1 | tee -a "$out/bench.txt"
    done
    # Where the time goes, op by op, at the batch the targets name.
    for fp16 in 0 1; do
        FACETRACK_CUDA_PROFILE=1 NN_BENCH_FP16=$fp16 "$here/nn_bench" "$model" cuda 256 10 \
            >/dev/null 2>>"$out/profile.txt"
    done
    for b in 1 8; do
        FACETRACK_CUDA_GRAPH=0 "$here/nn_bench" "$model" cuda $b 20 2>&1 | sed 's/^{/{"cuda_graph":"off",/' | tee -a "$out/bench.txt"
    done
    for b in 64 256; do
        FACETRACK_CUDA_FUSE=0 "$here/nn_bench" "$model" cuda $b 20 2>&1 | sed 's/^{/{"prelu_fusion":"off",/' | tee -a "$out/bench.txt"
    done
    for b in 64 256; do
        FACETRACK_CUDA_PIXEL=0 NN_BENCH_FP16=1 "$here/nn_bench" "$model" cuda $b 20 2>&1 | sed 's/^{/{"pixel_kernel":"off",/' | tee -a "$out/bench.txt"
        FACETRACK_CUDA_IM2COL=0 "$here/nn_bench" "$model" cuda $b 20 2>&1 | sed 's/^{/{"im2col":"off",/' | tee -a "$out/bench.txt"
        FACETRACK_CUDA_IM2COL=0 NN_BENCH_FP16=1 "$here/nn_bench" "$model" cuda $b 20 2>&1 | sed 's/^{/{"im2col":"off",/' | tee -a "$out/bench.txt"
    done
    for b in 1 8 64; do
        "$here/nn_bench" "$model" xnnpack $b 10 0 2>&1 | tee -a "$out/bench.txt"
        NN_BENCH_ITEMS=1 "$here/nn_bench" "$model" xnnpack $b 10 0 2>&1 | tee -a "$out/bench.txt"
    done
fi
if [ "$what" = tests ] || [ "$what" = all ]; then
    run_test test_nn_batch 120 # the slowest: every model on the reference too
    grep -E "nn batch|\[  FAILED|ERROR" "$out/tests.txt"
fi
exit $status
