# Every ONNX model in the shared models folder gives ONNX Runtime's outputs
# on our backends (xnnpack, what the engines use, and the reference), within
# 1e-4 of each output's scale (1e-6 absolute for an output that is all but
# zero), on a real face image (a frame of a shared
# clip at the model's input size and normalisation) and real-shaped inputs
# for the rest. ONNX Runtime is the npm package onnxruntime-node (CPU),
# installed into the build tree for tests and benchmarks only. Skips, saying
# why, without node/npm (or the registry, the first time), ffmpeg, the
# shared models or the media.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../onnxruntime" && pwd)
: "${FT_NN_RUN:?FT_NN_RUN must name the nn_run tool}"
command -v node >/dev/null || skip_test "node is not installed"
command -v npm >/dev/null || skip_test "npm is not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
models=${FT_SHARED_DIR:-}/models
clip=${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d0.mp4
ls "$models"/*.onnx >/dev/null 2>&1 || skip_test "no ONNX model in '$models'"
[ -f "$clip" ] || skip_test "$clip not found"
# One install for both build variants, beside them.
modules=$(bash "$here/install.sh" "${FT_BUILD_DIR:?}/../onnxruntime-peer") || skip_test "$modules"
export FT_ORT_MODULES=$modules
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# image NAME W H MEAN STD ORDER: the clip's frame at 1 s as that input.
image() {
    ffmpeg -v error -ss 1 -i "$clip" -frames:v 1 -vf "scale=$2:$3" -pix_fmt rgb24 -f rawvideo "$work/rgb" &&
        node "$here/image_input.mjs" "$work/rgb" "$2" "$3" "$4" "$5" "$6" "$work/$1.bin"
}
# int32 FILE VALUE
int32() { node -e "require('fs').writeFileSync('$1', Buffer.from(new Int32Array([$2]).buffer))"; }

for model in "$models"/*.onnx; do
    name=$(basename "$model" .onnx)
    args=()
    case $name in
    face_detection_yunet*) image input 640 640 0 1 bgr && args=(input="$work/input.bin") ;;
    scrfd_*)
        input=$("$FACETRACK" model info "$model" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).inputs[0].name))')
        image in 640 640 127.5 128 rgb && args=("$input=$work/in.bin") ;;
    openseeface_*) image input 224 224 123.7 58.4 rgb && args=(input="$work/input.bin") ;;
    facemesh_face_landmark)
        image input 192 192 0 255 rgb && int32 "$work/x1" 10 && int32 "$work/y1" 20 &&
            int32 "$work/w" 300 && int32 "$work/h" 300 &&
            args=(input="$work/input.bin" crop_x1="$work/x1" crop_y1="$work/y1" crop_width="$work/w" crop_height="$work/h") ;;
    face_blendshapes)
        # 146 landmark points of a face-sized layout, in pixels.
        node -e 'const p=new Float32Array(292);for(let i=0;i<146;i++){const a=i*2.399;p[2*i]=256+120*Math.cos(a)*Math.sqrt(i/146);p[2*i+1]=256+150*Math.sin(a)*Math.sqrt(i/146);}require("fs").writeFileSync(process.argv[1],Buffer.from(p.buffer))' "$work/points.bin" &&
            args=(input_points="$work/points.bin") ;;
    *) fail "$name: no input recipe for this model"; continue ;;
    esac
    mkdir -p "$work/ort" "$work/ours"
    rm -f "$work"/ort/* "$work"/ours/*
    if ! node "$here/ort_run.mjs" "$model" "$work/ort" "${args[@]}" 2>"$work/ort.err"; then
        fail "$name: onnxruntime failed: $(tail -n 1 "$work/ort.err")"
        continue
    fi
    outputs=$(ls "$work/ort" | wc -l)
    for backend in xnnpack reference; do
        rm -f "$work"/ours/*
        if "$FT_NN_RUN" "$model" $backend "$work/ours" "${args[@]}" 2>"$work/ours.err"; then
            check "$name on $backend = onnxruntime ($(node "$here/compare.mjs" "$work/ort" "$work/ours" "$outputs" 1e-4 | tail -n 1))" \
                node "$here/compare.mjs" "$work/ort" "$work/ours" "$outputs" 1e-4
        else
            fail "$name on $backend: $(tail -n 1 "$work/ours.err")"
        fi
    done
done
finish
