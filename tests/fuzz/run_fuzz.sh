#!/usr/bin/env bash
# Builds each model-loader fuzz target with clang's libFuzzer (ASan + UBSan)
# and runs it for a bounded time from its self-made seeds in corpus/NAME.
# Usage: run_fuzz.sh BUILD_DIR [SECONDS_PER_TARGET]   (skips, exit 77, without clang)
set -euo pipefail
out=${1:?usage: run_fuzz.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-${FT_FUZZ_SECONDS:-60}}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || { echo "SKIP: clang not installed (libFuzzer)"; exit 77; }
command -v protoc-c >/dev/null || { echo "SKIP: protoc-c not installed (ONNX parser)"; exit 77; }
flags=(-std=c11 -O1 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/include" -I"$root/src"
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
nn="$root/src/nn"

# fuzz NAME SOURCE... : builds fuzz_NAME from tests/fuzz/fuzz_NAME.c and SOURCEs, then runs it.
fuzz() {
    local name=$1; shift
    mkdir -p "$out/corpus-$name"
    clang "${flags[@]}" -o "$out/fuzz_$name" "$root/tests/fuzz/fuzz_$name.c" "$@" \
        "$nn/graph.c" "$nn/load_error.c" "$root/src/base/status.c"
    "$out/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$out/" \
        "$out/corpus-$name" "$root/tests/fuzz/corpus/$name" 2>&1 | tail -n 12
    echo "fuzz_$name: ran ${seconds}s without a finding"
}

fuzz tflite "$nn/flatbuffer.c" "$nn/tflite_loader.c" "$nn/tflite_sparsity.c" "$nn/densify.c"

# TFLite metadata: the M001 flatbuffer, the zip appended to the model (libzip), its label file.
fuzz tflite_metadata "$nn/flatbuffer.c" "$nn/tflite_metadata.c" -lzip

# ONNX: the protobuf-c parser is generated here as in the CMake build.
gen="$out/onnx-gen"
mkdir -p "$gen"
protoc-c --proto_path=/usr/include/onnx --c_out="$gen" /usr/include/onnx/onnx.proto
fuzz onnx -I"$gen" "$gen/onnx.pb-c.c" "$nn/onnx_loader.c" "$nn/onnx_ops.c" "$nn/onnx_tensor.c" \
    "$nn/ref_kernels.c" "$nn/ref_kernels_nchw.c" "$nn/ref_kernels_matmul.c" \
    "$nn/ref_custom_ops.c" "$nn/ref_detection_postprocess.c" "$nn/flexbuffer.c" -lprotobuf-c -lm

# TF.js graph models: model.json text, a NUL, then the weight shard.
fuzz tfjs "$nn/tfjs_loader.c" "$nn/tfjs_ops.c" "$nn/graph_builder.c" "$nn/model_file.c" "$nn/packed_assets.c" \
    "$nn/ref_kernels.c" "$nn/ref_kernels_nchw.c" "$nn/ref_kernels_matmul.c" \
    "$nn/ref_custom_ops.c" "$nn/ref_detection_postprocess.c" "$nn/flexbuffer.c" -ljson-c -lzip -lm

# .pth state dicts: libzip reads the archive; bare pickles are zipped by the target.
fuzz pth -I"$root/tests/fuzz" "$nn/pth_file.c" -lzip

# eos's model files: the cereal binaries, the TOML mapper, the cereal JSON.
fuzz eos "$root/src/face/eos_model.c" "$root/src/base/file_read.c" "$root/src/base/format_error.c" \
    -ljson-c

# OpenCV cascade XML (libxml2), then the detector on what loaded.
fuzz cascade "$root/src/face/haar_cascade.c" "$root/src/face/haar_detector.c" \
    "$root/src/face/opencv_resize.c" "$root/src/face/integral_image.c" \
    "$root/src/face/rect_grouping.c" $(pkg-config --cflags --libs libxml-2.0) -lpthreadpool -lm
