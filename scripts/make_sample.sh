#!/usr/bin/env bash
# Makes the built-in sample: a real face photo (astronaut.png, shipped in
# Debian's python3-skimage) moving across a grey frame with known motion.
# Only the one file is extracted from the downloaded package, never installed.
# Usage: make_sample.sh OUTDIR   -> OUTDIR/astronaut_pan.mp4 + .motion.json
set -euo pipefail
out=${1:?usage: make_sample.sh OUTDIR}
deb_package=python3-skimage
deb_version=0.19.3-8
png_member=./usr/lib/python3/dist-packages/skimage/data/astronaut.png
png_sha256=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
clip="$out/astronaut_pan.mp4"
[ -s "$clip" ] && [ -s "$out/astronaut_pan.motion.json" ] && exit 0

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
png="$out/astronaut.png"
if ! echo "$png_sha256  $png" | sha256sum -c --status 2>/dev/null; then
    (cd "$work" && apt-get download -q "$deb_package=$deb_version" >/dev/null 2>&1) || {
        sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        (cd "$work" && apt-get download -q "$deb_package=$deb_version" >/dev/null)
    }
    dpkg-deb --fsys-tarfile "$work"/${deb_package}_*.deb | tar -xO "$png_member" > "$work/astronaut.png"
    echo "$png_sha256  $work/astronaut.png" | sha256sum -c --status ||
        { echo "make_sample: astronaut.png checksum mismatch" >&2; exit 1; }
    mv "$work/astronaut.png" "$png"
fi

# 100 frames at 25 fps, 640x360: the 300x300 photo moves right 3 px per
# frame, x = 20 + 3n, y = 30 (top-left corner of the photo in frame n).
frames=100
ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "color=c=0x808080:s=640x360:r=25" -loop 1 -framerate 25 -i "$png" \
    -filter_complex "[1:v]scale=300:300[face];[0:v][face]overlay=x='20+3*n':y=30,format=yuv420p" \
    -frames:v $frames -c:v libx264 -preset medium -crf 20 -threads 1 -movflags +faststart \
    "$work/clip.mp4"
mv "$work/clip.mp4" "$clip"
cat > "$out/astronaut_pan.motion.json" <<JSON
{"clip": "astronaut_pan.mp4", "frames": $frames, "fps": 25, "width": 640, "height": 360,
 "source": "$deb_package $deb_version: astronaut.png (sha256 $png_sha256)",
 "photo": {"width": 300, "height": 300, "x": "20 + 3*n", "y": 30}}
JSON
echo "sample ready: $clip"
