#!/usr/bin/env bash
# Builds a minimal static FFmpeg from Debian's own source package: the
# demuxers, decoders and parsers of the videos facetrack reads, NVDEC/CUVID
# (loaded at run time, so nothing of NVIDIA's is needed to link or to run
# without a GPU), no programs, no network, nothing autodetected. The device
# build links it so that the program runs where no FFmpeg is installed
# (scripts/device_bundle.sh).
#
# The source comes from `apt-get source` (apt checks the .dsc signature and
# the checksums of every file against it); the orig tarball is also checked
# against the SHA-256 pinned here. The result lands in
#   ${XDG_CACHE_HOME:-~/.cache}/facetrack/ffmpeg-<version>-<config hash>/prefix
# (lib/*.a, include/, lib/pkgconfig/*.pc); a second run with the same
# version and configuration builds nothing. The prefix is the last line of
# stdout; everything else goes to stderr.
#
# Usage: build_ffmpeg_static.sh   (root, or a user with sudo, for apt-get)
set -euo pipefail

# What bookworm's apt gives (bookworm and bookworm-security); a newer
# security update changes it: check the new tarball, then update both pins.
debian_version=7:5.1.9-0+deb12u1
upstream_version=5.1.9
orig_tarball=ffmpeg_${upstream_version}.orig.tar.xz
orig_sha256=d9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176

say() { echo "build_ffmpeg_static: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Only what facetrack's video reader uses: libavformat, libavcodec,
# libswscale, libavutil (CMakeLists.txt). The native av1 decoder of FFmpeg
# 5.1 decodes only through a hwaccel (av1_nvdec here); software AV1 would
# need libdav1d, which is left out. image2 with mjpeg and png (png needs
# zlib) reads the stills of `facetrack detect`; ffv1 reads lossless
# intermediates (and the edge-case clips of tests/clips).
# shellcheck disable=SC2054 # commas separate configure's component lists
config=(
    --disable-everything --disable-programs --disable-doc --disable-network
    --disable-autodetect --enable-static --disable-shared --enable-pic
    # --disable-autodetect also turns threads off: frame and slice threads
    # are most of the decoding speed.
    --enable-pthreads
    --disable-avdevice --disable-avfilter --disable-postproc --disable-swresample
    --enable-swscale
    --enable-protocol=file,pipe
    --enable-demuxer=mov,matroska,avi,mpegts,image2
    --enable-decoder=h264,hevc,vp9,av1,mpeg4,mjpeg,prores,png,ffv1 --enable-zlib
    --enable-parser=h264,hevc,vp9,av1,mpeg4video,mjpeg,png
    --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb,vp9_superframe_split,av1_frame_split
    # NVDEC/CUVID through the ffnvcodec headers: libcuda and libnvcuvid are
    # dlopen()ed when a hardware decoder is opened, never linked.
    --enable-ffnvcodec --enable-nvdec --enable-cuvid
    --enable-hwaccel=h264_nvdec,hevc_nvdec,vp9_nvdec,av1_nvdec,mpeg4_nvdec,mjpeg_nvdec
    --enable-decoder=h264_cuvid,hevc_cuvid,vp9_cuvid,av1_cuvid,mpeg4_cuvid,mjpeg_cuvid
    --enable-x86asm
)
config_hash=$(printf '%s\n' "$debian_version" "$orig_sha256" "${config[@]}" | sha256sum | cut -c1-12)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/facetrack
dir=$cache/ffmpeg-$upstream_version-$config_hash
prefix=$dir/prefix
if [ -f "$prefix/.complete" ]; then
    say "up to date"
    echo "$prefix"
    exit 0
fi

# Build tools and the NVIDIA codec headers (Debian's libffmpeg-nvenc-dev).
need=()
for pkg in build-essential nasm pkg-config dpkg-dev zlib1g-dev libffmpeg-nvenc-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# Source entries beside the binary ones, same archives, suites and key.
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    binary=/etc/apt/sources.list.d/debian.sources
    [ -f "$binary" ] || { say "no deb-src entry and no $binary to derive one from"; exit 1; }
    say "adding deb-src entries (/etc/apt/sources.list.d/debian-src.sources)"
    sed 's/^Types: deb$/Types: deb-src/' "$binary" | as_root tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
    as_root apt-get update -qq
fi

src_cache=$cache/ffmpeg-src-$upstream_version
tree=$src_cache/ffmpeg-$upstream_version
if [ ! -f "$tree/configure" ]; then
    candidate=$(apt-cache showsrc ffmpeg | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
    if [ "$candidate" != "$debian_version" ]; then
        say "apt offers ffmpeg source $candidate, this script is pinned to $debian_version: update the pins after checking the new tarball"
        exit 1
    fi
    rm -rf "$src_cache"
    mkdir -p "$src_cache"
    say "apt-get source ffmpeg=$debian_version"
    (cd "$src_cache" && apt-get source -qq "ffmpeg=$debian_version" >&2)
    got=$(sha256sum "$src_cache/$orig_tarball" | cut -d' ' -f1)
    if [ "$got" != "$orig_sha256" ]; then
        say "$orig_tarball has SHA-256 $got, pinned $orig_sha256"
        rm -rf "$src_cache"
        exit 1
    fi
fi

build=$dir/build
rm -rf "$build" "$prefix"
mkdir -p "$build"
say "configuring in $build"
(cd "$build" && "$tree/configure" --prefix="$prefix" "${config[@]}" >configure.log 2>&1) || {
    tail -n 30 "$build/ffbuild/config.log" >&2
    say "configure failed (see $build/ffbuild/config.log)"
    exit 1
}
# Ask configure what it turned on: a name misspelt or gone from this
# version is dropped silently otherwise.
for component in mov_demuxer matroska_demuxer h264_decoder hevc_decoder vp9_decoder \
    av1_decoder mpeg4_decoder prores_decoder h264_nvdec_hwaccel hevc_nvdec_hwaccel \
    vp9_nvdec_hwaccel av1_nvdec_hwaccel h264_cuvid_decoder hevc_cuvid_decoder \
    av1_cuvid_decoder png_decoder zlib pthreads x86asm; do
    grep -qE "^#define (CONFIG|HAVE)_${component^^} 1" "$build/config.h" "$build/config_components.h" ||
        { say "configure left out $component"; exit 1; }
done
say "building ($(nproc) jobs)"
make -C "$build" -j"$(nproc)" >"$build/make.log" 2>&1 || { tail -n 30 "$build/make.log" >&2; exit 1; }
make -C "$build" install >>"$build/make.log" 2>&1
printf '%s\n' "$debian_version" "${config[@]}" >"$prefix/.complete"
say "installed into $prefix"
echo "$prefix"
