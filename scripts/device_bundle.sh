#!/usr/bin/env bash
# Builds the device bundle: one folder under 60 MiB that runs on a machine
# with an NVIDIA GPU, CUDA 13's cuBLAS, and none of Debian's libraries nor
# FFmpeg. It holds
#   bin/facetrack         the launcher (scripts/device_facetrack.sh): sets
#                         LD_LIBRARY_PATH and the model path, runs
#   bin/facetrack.bin     the program, libav* linked statically from
#                         scripts/build_ffmpeg_static.sh
#   test_nn_ops, test_nn_batch, test_nn_cuda_models, run_tests.sh
#                         the nn runtime's GPU tests and the landmark model's
#                         benchmark (bin/facetrack model bench)
#                         (scripts/device_run_tests.sh)
#   lib/                  the shared libraries these load, but the C library
#                         family, the driver's libcuda and cuBLAS (libcublasLt
#                         alone is 520 MiB; the device's CUDA 13 has it)
#   models/, shared/models/  the models the tests read and the program's
#                         defaults (full-range detector, face_landmarker.task,
#                         the geometry metadata)
#   bench/                the 1080p 3-face clip and bench/gpu_track.sh
#   shared/media/         three face clips (and a link to the bench clip) for
#                         tests/integration/track_gpu.sh
# All of it is built in build/device for sm_90 (H100), every program with
# RPATH (DT_RPATH) $ORIGIN/lib:$ORIGIN/../lib and --as-needed.
# Usage: device_bundle.sh [OUT_DIR]   (default build/devbundle)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/devbundle}
build=$root/build/device
npm=${FT_NPM_MODELS_DIR:-$root/build/models}
[ -f "$npm/face_detection_short_range.tflite" ] || npm=$root/../main/build/models
shared=${FT_SHARED_DIR:-$root/../shared}
clip=$shared/media/bench/bench_1080p25_3faces_20s.mp4
programs=(tests/test_nn_ops tests/test_nn_batch tests/test_nn_cuda_models tests/write_transnet_weights)
targets=(test_nn_ops test_nn_batch test_nn_cuda_models write_transnet_weights facetrack_cli)
max_mib=60

ffmpeg_prefix=$(bash "$root/scripts/build_ffmpeg_static.sh" | tail -n 1)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# BUILD_WITH_INSTALL_RPATH: the build tree's RPATH would get CMake's padding
# (an empty entry, which the loader reads as the current directory).
# --disable-new-dtags: DT_RPATH, which the loader also applies to the
# libraries' own dependencies (DT_RUNPATH serves the program's alone), so
# that the programs find all of lib/ without LD_LIBRARY_PATH.
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFACETRACK_FFMPEG_PREFIX="$ffmpeg_prefix" -DFACETRACK_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DFACETRACK_HAAR=OFF \
    -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN/lib;$ORIGIN/../lib' \
    '-DCMAKE_EXE_LINKER_FLAGS=-Wl,--as-needed -Wl,--disable-new-dtags' >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >/dev/null

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/models/npm" "$out/shared/models" "$out/bench"
# Debug information and local symbols are most of a program's size.
for p in "${programs[@]}"; do
    strip --strip-unneeded -o "$out/$(basename "$p")" "$build/$p"
done
strip --strip-unneeded -o "$out/bin/facetrack.bin" "$build/bin/facetrack"
cp "$root/scripts/device_facetrack.sh" "$out/bin/facetrack"
chmod +x "$out/bin/facetrack"

# Libraries the programs load, but those every Linux has (the C library
# family: its parts must all come from the same glibc), the driver's
# libcuda, and cuBLAS (hundreds of MiB; the device has CUDA 13's).
skip='^(linux-vdso|libc\.|libm\.|libmvec\.|libpthread\.|libdl\.|librt\.|libresolv\.|libanl\.|libutil\.|ld-linux|libcuda\.|libcublas)'
for p in "${programs[@]}" bin/facetrack; do
    ldd "$build/$p" | awk '$3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
    if [[ $name =~ ^libav|^libsw ]]; then
        echo "device_bundle.sh: a program loads $name ($path): libav* must be linked statically" >&2
        exit 1
    fi
    if ! [[ $name =~ $skip ]]; then
        strip --strip-debug -o "$out/lib/$name" "$(readlink -f "$path")"
    fi
done

cp "$npm"/face_detection_short_range.tflite "$npm"/face_detection_full_range.tflite \
   "$npm"/face_landmark_with_attention.tflite "$npm"/face_mesh_solution_packed_assets.data \
   "$npm"/geometry_pipeline_metadata_landmarks.binarypb "$out/models/npm/"
cp "$shared/models/face_landmarker_v2_with_blendshapes.task" "$out/shared/models/"
cp "$clip" "$root/bench/gpu_track.sh" "$out/bench/"
# Three face clips for the GPU-against-CPU test (tests/integration/track_gpu.sh
# with FT_SHARED_DIR=the bundle's shared/), beside the bench clip.
mkdir -p "$out/shared/media/faces" "$out/shared/media/bench"
for f in liveportrait_driving_d0.mp4 liveportrait_source_s13.mp4 facenet_pytorch_examples_video.mp4; do
    cp "$shared/media/faces/$f" "$out/shared/media/faces/"
done
ln -sf ../../../bench/"$(basename "$clip")" "$out/shared/media/bench/$(basename "$clip")"
cp "$root/scripts/device_run_tests.sh" "$out/run_tests.sh"
cp "$root/bench/gpu_decode.sh" "$root/bench/gpu_scenes.sh" "$root/bench/live_gpu.sh" "$out/bench/"
# Two seconds of the bench clip at 640x360 in each codec NVDEC may take, and
# in two it must hand back to the CPU (4:4:4 H.264, MPEG-4 Part 2), for
# bench/gpu_decode.sh's equality check.
mkdir -p "$out/bench/codecs"
make_codec_clip() { # NAME ENCODER-ARGS...
    local name=$1
    shift
    ffmpeg -nostdin -loglevel error -y -t 2 -i "$clip" -vf scale=640:360 -an "$@" "$out/bench/codecs/$name"
}
make_codec_clip h264_420.mp4 -c:v libx264 -pix_fmt yuv420p -preset veryfast
make_codec_clip h264_444.mp4 -c:v libx264 -pix_fmt yuv444p -preset veryfast
make_codec_clip hevc_420.mp4 -c:v libx265 -pix_fmt yuv420p -preset veryfast -x265-params log-level=none
make_codec_clip hevc_420_10bit.mp4 -c:v libx265 -pix_fmt yuv420p10le -preset veryfast -x265-params log-level=none
make_codec_clip vp9.webm -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 1M
make_codec_clip av1.mkv -c:v libsvtav1 -preset 12
make_codec_clip mpeg4.avi -c:v mpeg4 -q:v 4

bytes=$(du -sb "$out" | cut -f1)
echo "device bundle: $out ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB)"
if [ "$bytes" -gt $((max_mib * 1048576)) ]; then
    echo "device_bundle.sh: the bundle is over $max_mib MiB" >&2
    exit 1
fi
