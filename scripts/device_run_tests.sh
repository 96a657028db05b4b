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
    bench() { # LABEL [ENV=VALUE...] -- [model bench options...]
        local label=$1
        shift
        local envs=()
        while [ "$1" != -- ]; do envs+=("$1"); shift; done
        shift
        env "${envs[@]}" "$here/bin/facetrack" model bench "$@" "$model" 2>>"$out/profile.txt" |
            sed "s/^{/{\"variant\":\"$label\",/" | tee -a "$out/bench.txt"
    }
    for b in 1 8 64 256; do
        bench default -- --backend cuda --batch $b --runs 50
        bench default -- --backend cuda --batch $b --runs 50 --fp16
    done
    # Where the time goes, op by op, at the batch the targets name.
    for fp16 in "" --fp16; do
        bench profile FACETRACK_CUDA_PROFILE=1 -- --backend cuda --batch 256 --runs 10 $fp16 >/dev/null
    done
    for b in 64 256; do
        bench blocks_off FACETRACK_CUDA_BLOCKS=0 -- --backend cuda --batch $b --runs 20 --fp16
        bench blocks_off FACETRACK_CUDA_BLOCKS=0 -- --backend cuda --batch $b --runs 20
    done
    for b in 1 8; do
        bench cuda_graph_off FACETRACK_CUDA_GRAPH=0 -- --backend cuda --batch $b --runs 20
    done
    for b in 1 8 64; do
        bench default -- --backend xnnpack --threads 0 --batch $b --runs 10
    done
fi
if [ "$what" = tests ] || [ "$what" = all ]; then
    run_test test_nn_batch 120 # the slowest: every model on the reference too
    grep -E "nn batch|\[  FAILED|ERROR" "$out/tests.txt"
fi
exit $status
