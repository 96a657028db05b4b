#!/usr/bin/env bash
# Builds the fuzz targets of `facetrack serve` with clang's libFuzzer (ASan
# + UBSan) and runs each for a bounded time from its seeds in corpus/NAME:
# the HTTP request path (a server in the process, fed raw requests over
# loopback) and the job body parser.
# Usage: run_fuzz_serve.sh BUILD_DIR [SECONDS_PER_TARGET]   (skips, exit 77, without clang)
set -euo pipefail
out=${1:?usage: run_fuzz_serve.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-${FT_FUZZ_SECONDS:-25}}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || { echo "SKIP: clang not installed (libFuzzer)"; exit 77; }
pkg-config --exists libmicrohttpd json-c || { echo "SKIP: libmicrohttpd or json-c headers missing"; exit 77; }
flags=(-std=c11 -O1 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/include" -I"$root/src"
       -I"$root/tests/fuzz" $(pkg-config --cflags libmicrohttpd json-c)
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
libs=($(pkg-config --libs libmicrohttpd json-c) -lpthread)
serve="$root/src/serve"
parser=("$serve/job_request.c" "$serve/job_options.c")

# fuzz NAME SOURCE... : builds fuzz_NAME from tests/fuzz/fuzz_NAME.c and SOURCEs, then runs it.
fuzz() {
    local name=$1; shift
    mkdir -p "$out/corpus-$name"
    clang "${flags[@]}" -o "$out/fuzz_$name" "$root/tests/fuzz/fuzz_$name.c" "$@" \
        "$root/src/base/status.c" "${libs[@]}"
    "$out/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=8192 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$out/" \
        "$out/corpus-$name" "$root/tests/fuzz/corpus/$name" 2>&1 | tail -n 12
    echo "fuzz_$name: ran ${seconds}s without a finding"
}

# The HTTP target makes its media roots under $TMPDIR: kept in the build tree.
export TMPDIR="$out/tmp-serve"
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT

fuzz job_request "${parser[@]}"
fuzz serve_http "${parser[@]}" "$serve/server.c" "$serve/host_check.c" "$serve/connection_guard.c" \
    "$serve/media_roots.c" "$serve/api_media.c" "$root/src/base/json_writer.c" \
    "$root/src/track/folder_scan.c" "$root/src/base/format_error.c" "$root/src/base/log.c"
