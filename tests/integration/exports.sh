# libfacetrack.so exports its contract and nothing else: every symbol it
# defines dynamically starts with ft_ and is declared FT_API in facetrack.h.
. "$(dirname "$0")/lib.sh"
: "${FT_SHARED_LIB:?FT_SHARED_LIB must name the built libfacetrack.so}"
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v nm >/dev/null || skip_test "nm not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$FT_SHARED_LIB" | awk '{print $NF}' | sort -u >"$tmp/exported"
# The name before the "(" of each FT_API declaration (each starts on its
# line with FT_API, the name on the same line).
grep -v '^[[:space:]]*#' "$src/include/facetrack.h" | grep -oE 'FT_API[^;(]*\(' | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\($' |
    tr -d '( \t' | sort -u >"$tmp/declared"

check "the contract is exported (ft_version)" grep -qx ft_version "$tmp/exported"
check "facetrack.h declares the contract (ft_version)" grep -qx ft_version "$tmp/declared"
not_ft=$(grep -v '^ft_' "$tmp/exported")
check "every exported symbol starts with ft_${not_ft:+ (not: $(echo $not_ft))}" test -z "$not_ft"
undeclared=$(comm -23 "$tmp/exported" "$tmp/declared")
check "every exported symbol is declared in facetrack.h${undeclared:+ (not: $(echo $undeclared))}" \
    test -z "$undeclared"
# Declared but absent is a link error for whoever calls it: said, not failed,
# while a declaration waits for its implementation.
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
[ -z "$missing" ] || echo "note: declared in facetrack.h, not in the library: $(echo $missing)"
finish
