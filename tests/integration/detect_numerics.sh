# Our runtime's YuNet and SCRFD outputs against ONNX Runtime's, on real
# frames prepared as the engines prepare them: every output within 1e-4.
# ONNX Runtime is the npm package onnxruntime-node, installed beside the
# build trees by tests/onnxruntime/install.sh (as onnx_vs_ort does), or
# FT_ORT_NODE_MODULES; skips, saying why, without node/npm or the registry.
. "$(dirname "$0")/lib.sh"
need_shared_media
: "${FT_DUMP_DETECTOR_OUTPUTS:?FT_DUMP_DETECTOR_OUTPUTS must name the built dump tool}"
command -v node >/dev/null || skip_test "node not found"
modules=${FT_ORT_NODE_MODULES:-}
if [ -z "$modules" ]; then
    command -v npm >/dev/null || skip_test "npm not found"
    modules=$(bash "$(dirname "$0")/../onnxruntime/install.sh" "${FT_BUILD_DIR:?}/../onnxruntime-peer") ||
        skip_test "$modules"
fi
[ -d "$modules/onnxruntime-node" ] || skip_test "onnxruntime-node not found in $modules"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
models=$FT_SHARED_DIR/models
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# frame NAME VIDEO SECONDS: one RGB frame, and its size in $work/NAME.size
frame() {
    ffmpeg -v error -ss "$3" -i "$2" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$work/$1.rgb" &&
        ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$2" |
            tr ',' ' ' >"$work/$1.size"
}
frame head "$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4" 1
frame bench "$FT_SHARED_DIR/media/bench/bench_1080p25_3faces_20s.mp4" 0
for spec in face_detection_yunet_2023mar:yunet scrfd_500m_kps_640:scrfd scrfd_2.5g_kps_640:scrfd; do
    model=$models/${spec%%:*}.onnx
    [ -f "$model" ] || { echo "note: $model absent"; continue; }
    for f in head bench; do
        dir=$work/${spec%%:*}_$f
        mkdir -p "$dir"
        read -r w h <"$work/$f.size"
        "$FT_DUMP_DETECTOR_OUTPUTS" "$model" "$work/$f.rgb" "$w" "$h" "${spec##*:}" "$dir"
        check "${spec%%:*} on $f: as ONNX Runtime" \
            env NODE_PATH="$modules" node "$src/tests/tools/ort_compare.js" "$model" "$dir" 1e-4
    done
done
finish
