# `cmake --install` into a temporary prefix gives a usable library: every
# examples/*.c builds with nothing but `pkg-config --cflags --libs
# facetrack`, against libfacetrack.so and (--static) against libfacetrack.a,
# and runs with the arguments of its `/* run: ARGS */` line.
. "$(dirname "$0")/lib.sh"
: "${FT_BUILD_DIR:?FT_BUILD_DIR must name the build tree}"
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v pkg-config >/dev/null || skip_test "pkg-config not found"
cc=${CC:-cc}
command -v "$cc" >/dev/null || skip_test "no C compiler ($cc)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A sanitized library needs its runtime in the programs too.
san=()
[ "${FT_SANITIZED:-0}" = 1 ] && san=(-fsanitize=address,undefined)

prefix=$tmp/prefix
cmake --install "$FT_BUILD_DIR" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "cmake --install"; finish; }
pc=$(find "$prefix" -name facetrack.pc | head -n 1)
libdir=$(dirname "$(dirname "$pc")")
check "installed: facetrack.pc" test -n "$pc"
check "installed: facetrack.h" test -f "$prefix/include/facetrack.h"
check "installed: libfacetrack.so and libfacetrack.a" test -e "$libdir/libfacetrack.so" -a -f "$libdir/libfacetrack.a"
check "installed: the facetrack program" test -x "$prefix/bin/facetrack"
[ -n "$pc" ] || finish

# The static variant: the same prefix without the .so, so that -lfacetrack
# can only mean libfacetrack.a and Libs.private must name all it needs.
static_prefix=$tmp/static
cp -a "$prefix" "$static_prefix"
rm -f "$static_prefix/${libdir#"$prefix"/}"/libfacetrack.so*
shared_flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs facetrack) ||
    fail "pkg-config --cflags --libs facetrack"
static_pc=$static_prefix/${pc#"$prefix"/}
static_flags=$(PKG_CONFIG_PATH=$(dirname "$static_pc") pkg-config --static --cflags --libs facetrack) ||
    fail "pkg-config --static --cflags --libs facetrack"
echo "flags: $shared_flags"
echo "static flags: $static_flags"

shopt -s nullglob
examples=("$src"/examples/*.c)
check "there are examples" test ${#examples[@]} -gt 0
for example in "${examples[@]}"; do
    name=$(basename "$example" .c)
    run_line=$(sed -n '1,5s|^/\* run:\(.*\)\*/[[:space:]]*$|\1|p' "$example" | head -n 1)
    run_line=${run_line//'${FT_SHARED_DIR}'/${FT_SHARED_DIR:-}}
    run_line=${run_line//'$FT_SHARED_DIR'/${FT_SHARED_DIR:-}}
    read -r -a args <<<"$run_line"
    absent=
    for a in "${args[@]}"; do
        [[ -n "${FT_SHARED_DIR:-}" && "$a" == "$FT_SHARED_DIR"/* && ! -e "$a" ]] && absent=$a
    done
    if [ -n "$absent" ]; then
        echo "skip $name: $absent is absent"
        continue
    fi
    # shellcheck disable=SC2086 # the flags are words
    check "$name builds against libfacetrack.so" \
        "$cc" "${san[@]}" -o "$tmp/$name" "$example" $shared_flags
    check "$name runs (shared): ${args[*]}" env LD_LIBRARY_PATH="$libdir" "$tmp/$name" "${args[@]}"
    # shellcheck disable=SC2086
    check "$name builds against libfacetrack.a (--static)" \
        "$cc" "${san[@]}" -o "$tmp/$name-static" "$example" $static_flags
    check "$name (static) needs no libfacetrack.so" \
        bash -c "! readelf -d '$tmp/$name-static' | grep -q 'libfacetrack\.so'"
    check "$name runs (static): ${args[*]}" "$tmp/$name-static" "${args[@]}"
done
finish
