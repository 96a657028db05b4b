# facetrack doctor without a GPU (CUDA_VISIBLE_DEVICES=-1 hides any): the
# report as text and as JSON with its stable keys, exit 0 when nothing
# failed, --gpu failing with what to install, --device naming a missing GPU,
# a model whose SHA-256 is not the pinned one found and failed, and
# --version telling the same truth about the GPUs; NVML and cuDNN read
# through their stand-ins.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_test "python3 not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the models each run is given (and the build tree's, always on the path).
unset FACETRACK_MODEL_PATH FACETRACK_MODELS_DIR
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache CUDA_VISIBLE_DEVICES=-1

doctor() { "$FACETRACK" doctor "$@"; }
# json_get FILE EXPR: EXPR on the parsed object `d`, printed
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

doctor --json >"$tmp/report.json" 2>"$tmp/err"
rc=$?
check "--json without a GPU: exit 0" test "$rc" -eq 0
check "... nothing on stderr" test ! -s "$tmp/err"
check "... one valid JSON object" python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), dict)' "$tmp/report.json"
keys_present() {
    python3 - "$tmp/report.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {
    "": ["version", "cuda", "cuda_built", "cuda_archs", "cuda_runtime_version", "driver", "gpu_count",
         "gpu_error", "gpus", "libraries", "models", "inference", "requested", "checks", "failed", "ok"],
    "driver": ["found", "version", "version_source", "cuda_version", "libcuda"],
    "libraries": ["cublas", "cudnn", "nvdec", "nvml"],
    "inference": ["model", "tolerance", "cpu"],
    "requested": ["gpu", "device"],
}
bad = []
for where, keys in want.items():
    obj = d[where] if where else d
    bad += [f"{where}.{k}" for k in keys if k not in obj]
for m in d["models"]:
    bad += [f"models.{k}" for k in ["role", "required", "name", "spec", "path", "sha256",
                                    "pinned_sha256", "check", "get"] if k not in m]
for c in d["checks"]:
    bad += [f"checks.{k}" for k in ["name", "status", "detail"] if k not in c]
    if c["status"] not in ("ok", "warn", "missing", "fail", "skip"):
        bad.append(f"status {c['status']}")
names = [c["name"] for c in d["checks"]]
bad += [n for n in ["build", "driver", "gpu", "cuda runtime", "cublas", "cudnn", "nvdec", "nvml",
                    "model detector", "model landmarks", "model blendshapes", "model geometry",
                    "inference cpu"] if n not in names]
if bad:
    print("  missing or wrong:", ", ".join(bad))
    sys.exit(1)
PY
}
check "... every key, every check, statuses from the set" keys_present
check "... no GPU listed, none counted" test "$(json_get "$tmp/report.json" 'len(d["gpus"]), d["gpu_count"]')" = "(0, 0)"
check "... ok, nothing failed" test "$(json_get "$tmp/report.json" 'd["ok"], d["failed"]')" = "(True, 0)"
built=$(json_get "$tmp/report.json" 'd["cuda_built"]')
driver=$(json_get "$tmp/report.json" 'd["driver"]["found"]')
cuda=$(json_get "$tmp/report.json" 'd["cuda"]')
if [ "$built" = True ]; then
    check "... the summary says CUDA is built and no GPU found" \
        test "${cuda#built, no GPU found}" != "$cuda"
    check "... CUDA's versions and archs" test "$(json_get "$tmp/report.json" \
        'bool(d["cuda_runtime_version"]) and len(d["cuda_archs"]) > 0 and d["libraries"]["cublas"]["found"]')" = True
else
    check "... the summary says built without CUDA" test "$cuda" = "not built"
fi

doctor >"$tmp/report.txt" 2>"$tmp/err"
rc=$?
check "text: exit 0" test "$rc" -eq 0
check "... one line per check: status, name, detail" \
    test -z "$(sed '/^$/,$d' "$tmp/report.txt" | grep -Ev '^(ok|warn|missing|fail|skip) +[a-z0-9 ]+  [^ ]')"
check "... the same checks as --json" test "$(sed '/^$/,$d' "$tmp/report.txt" | wc -l)" = \
    "$(json_get "$tmp/report.json" 'len(d["checks"])')"
check "... ends with the cuda line and the count of failures" \
    test "$(tail -n 2 "$tmp/report.txt")" = "cuda: $cuda
0 checks failed"
if [ "$built" = True ]; then
    check "... says CUDA built, no GPU found" grep -q '^missing  gpu  .*CUDA built, no GPU found' "$tmp/report.txt"
else
    check "... says built without CUDA" grep -q '^missing  build .*built without CUDA' "$tmp/report.txt"
fi
if [ "$driver" = False ]; then
    check "... no driver: says which package" grep -q '^missing  driver .*no NVIDIA driver found: install the nvidia-driver package' "$tmp/report.txt"
fi

# With the driver's NVML and cuDNN (stand-ins: tests/fakes): their versions
# reported, and a driver without its CUDA library said to be incomplete.
fakes=${FT_FAKES_DIR:-}
if [ -f "$fakes/libnvidia-ml.so.1" ] && [ -f "$fakes/libcudnn.so.9" ]; then
    LD_LIBRARY_PATH=$fakes doctor --json >"$tmp/fakes.json" 2>/dev/null
    check "NVML: the driver's version from it, NVML found" test "$(json_get "$tmp/fakes.json" \
        'd["driver"]["found"], d["driver"]["version"], d["driver"]["version_source"], d["libraries"]["nvml"]["found"]')" = \
        "(True, '999.1.2', 'NVML', True)"
    check "cuDNN: its version and file" test "$(json_get "$tmp/fakes.json" \
        'd["libraries"]["cudnn"]["version"], d["libraries"]["cudnn"]["path"]')" = "('9.1.2', '$fakes/libcudnn.so.9')"
    LD_LIBRARY_PATH=$fakes doctor >"$tmp/fakes.txt" 2>/dev/null
    if [ "$built" = True ]; then
        check "... the kernel driver without libcuda.so.1: a warning saying what to install" \
            grep -q '^warn     driver  *NVIDIA kernel driver 999.1.2, but its CUDA library libcuda.so.1 does not load: install it' "$tmp/fakes.txt"
    else
        check "... the driver found" grep -q '^ok       driver  *NVIDIA 999.1.2 (from NVML)$' "$tmp/fakes.txt"
    fi
    check "... nvml and cudnn ok" test "$(grep -cE '^ok       (nvml|cudnn) ' "$tmp/fakes.txt")" = 2
else
    echo "note: no stand-in libraries in '$fakes': NVML and cuDNN reading not tested"
fi

# --version tells the same truth, never a GPU that is not there
"$FACETRACK" --version >"$tmp/version"
check "--version: its cuda line is doctor's" grep -qxF "cuda: $cuda" "$tmp/version"
check "... and names no GPU" test -z "$(grep -E '^cuda: [0-9]+ GPU' "$tmp/version")"

# --gpu: a working GPU is required
doctor --gpu >"$tmp/out" 2>"$tmp/err"
rc=$?
gpu_message() {
    local err
    err=$(cat "$tmp/err")
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && [[ "$err" == "facetrack doctor: no working GPU: "* ]] || return 1
    if [ "$built" != True ]; then
        [[ "$err" == *"install the CUDA toolkit"* ]]
    elif [ "$driver" = False ]; then
        [[ "$err" == *"install the nvidia-driver package"* ]]
    else # a driver, its GPUs hidden
        [[ "$err" == *"CUDA_VISIBLE_DEVICES='-1'"* ]]
    fi || { echo "  $err"; return 1; }
}
check "--gpu without one: exit 1" test "$rc" -eq 1
check "... one line saying what to install" gpu_message
check "... the report still printed" grep -q '^0 checks failed$' "$tmp/out"
doctor --gpu --json >"$tmp/gpu.json" 2>/dev/null
check "--gpu --json: ok is false, the request recorded" \
    test "$(json_get "$tmp/gpu.json" 'd["ok"], d["requested"]["gpu"], d["failed"]')" = "(False, True, 0)"

# --device N
doctor --device 7 >/dev/null 2>"$tmp/err"
rc=$?
check "--device 7 when there is none: exit 1, one line naming it" \
    test "$rc" -eq 1 -a "$(cat "$tmp/err")" = "facetrack doctor: no GPU 7: this machine has 0"
doctor --device 7 --json >"$tmp/dev.json" 2>/dev/null
check "... --json: a failed gpu check naming it" test "$(json_get "$tmp/dev.json" \
    '[c["status"] for c in d["checks"] if c["name"] == "gpu"], d["requested"]["device"], d["ok"]')" = \
    "(['fail'], 7, False)"

usage_error() { # TEXT ARGS...: exit 2, one line on stderr containing TEXT
    local want=$1 err rc; shift
    err=$(doctor "$@" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$want"* ]] ||
        { echo "  exit $rc: $err"; return 1; }
}
check "--device without a number: usage error" usage_error "--device needs a GPU number" --device
check "--device x: usage error" usage_error "--device needs a GPU number" --device x
check "--device -1: usage error" usage_error "--device needs a GPU number" --device -1
check "an unknown argument: usage error" usage_error "unknown argument '--cpu'" --cpu
check "help lists doctor" grep -q '^  doctor ' <("$FACETRACK" --help)
check "help doctor" grep -q '^usage: facetrack doctor \[--json\] \[--gpu\] \[--device N\]' <("$FACETRACK" help doctor)

# A corrupted detector first on the search path: its SHA-256 is not the pin
bad=$tmp/bad
mkdir -p "$bad"
echo "not a model" >"$bad/face_detection_full_range.tflite"
echo "not a model" >"$bad/face_detection_short_range.tflite"
FACETRACK_MODEL_PATH=$bad doctor --json >"$tmp/bad.json" 2>"$tmp/err"
rc=$?
check "a corrupted model: exit 1" test "$rc" -eq 1
check "... its role's check is a mismatch, at its path" test "$(json_get "$tmp/bad.json" \
    '[(m["check"], m["path"]) for m in d["models"] if m["role"] == "detector"]')" = \
    "[('mismatch', '$bad/face_detection_full_range.tflite')]"
check "... a failed check, not ok" test "$(json_get "$tmp/bad.json" \
    '[c["status"] for c in d["checks"] if c["name"] == "model detector"], d["failed"] >= 1, d["ok"]')" = \
    "(['fail'], True, False)"
check "... the inference check does not run a corrupted model" test "$(json_get "$tmp/bad.json" \
    'd["inference"]["model"], [c["status"] for c in d["checks"] if c["name"] == "inference cpu"]')" = \
    "(None, ['skip'])"
FACETRACK_MODEL_PATH=$bad doctor >"$tmp/bad.txt" 2>&1
check "... text: the line names the file and the pin" grep -q \
    "^fail     model detector  *$bad/face_detection_full_range.tflite: SHA-256 [0-9a-f]*… differs from the pinned 99bf9494d84f…" \
    "$tmp/bad.txt"

# The pinned short-range detector: the inference check runs it on the CPU rows
npm=${FT_NPM_MODELS_DIR:-}
if [ -f "$npm/face_detection_short_range.tflite" ]; then
    good=$tmp/good
    mkdir -p "$good"
    cp "$npm/face_detection_short_range.tflite" "$good/"
    FACETRACK_MODEL_PATH=$good doctor --json >"$tmp/good.json" 2>"$tmp/err"
    check "the pinned short-range detector: the inference check's model" test "$(json_get "$tmp/good.json" \
        '[m["check"] for m in d["models"] if m["role"] == "inference check"], d["inference"]["model"]')" = \
        "(['ok'], '$good/face_detection_short_range.tflite')"
    check "... run on reference and xnnpack, within the tolerance" test "$(json_get "$tmp/good.json" \
        '[(r["backend"], r["ran"], r["within_tolerance"]) for r in d["inference"]["cpu"]]')" = \
        "[('reference', True, True), ('xnnpack', True, True)]"
else
    echo "note: no npm models in '$npm': the inference check's run is not tested"
fi
finish
