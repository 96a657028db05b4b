#!/usr/bin/env bash
# Installs the Debian 12 packages facetrack needs to build, test and make its
# sample; does nothing when they are all present. Usage: deps.sh
set -euo pipefail

packages=(
    gcc make cmake ninja-build pkg-config     # toolchain
    libavformat-dev libavcodec-dev libswscale-dev libavutil-dev  # video (FFmpeg 5.1)
    libavdevice-dev                           # facetrack live: V4L2 cameras
    libffmpeg-nvenc-dev                       # NVDEC decoding: the NVIDIA codec headers and their driver loader
    libzip-dev                                # MediaPipe .task bundles
    libcurl4-openssl-dev                      # models pull
    libmicrohttpd-dev                         # facetrack serve: HTTP (and the download tests)
    libsqlite3-dev                            # facetrack serve: the jobs
    protobuf-c-compiler libprotobuf-c-dev libonnx-dev  # ONNX loader: C parser generated from onnx.proto
    libxnnpack-dev libpthreadpool-dev         # fast CPU inference kernels
    libjson-c-dev                             # JSON inputs: video lists, audio analyses
    libxml2-dev opencv-data                   # opencv_haar: cascade XML reader, Debian's cascades
    libcmocka-dev                             # unit tests
    python3-jsonschema                        # output schema checks in the tests
    python3-numpy                             # the live preview's Python reader example, in the tests
    python3-opencv                            # opencv_haar's tests and bench: OpenCV 4.6 as the peer
    clang libclang-rt-14-dev                  # loader fuzzing (libFuzzer)
    ffmpeg                                    # test clips, sample, reference decoder
    curl                                      # HTTP tests of facetrack serve
    chromium                                  # the web UI's browser test (driven by playwright-core from npm)
    slurmctld slurmd slurm-client munge       # facetrack cluster's test: a private single-machine Slurm
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
