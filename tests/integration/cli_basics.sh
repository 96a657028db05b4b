# The program's help, version and usage errors.
. "$(dirname "$0")/lib.sh"

check "--help exits 0 and lists probe" sh -c '"$FACETRACK" --help | grep -q "^  probe "'
check "--version names the version" sh -c '"$FACETRACK" --version | grep -Eq "^facetrack [0-9]+\.[0-9]+\.[0-9]+"'
check "help probe shows its usage" sh -c '"$FACETRACK" help probe | grep -q "usage: facetrack probe"'
check "probe --help shows its usage" sh -c '"$FACETRACK" probe --help | grep -q "usage: facetrack probe"'
expect_usage() { "$FACETRACK" "$@" >/dev/null 2>&1; [ $? -eq 2 ]; }
check "no command is a usage error" expect_usage
check "unknown command is a usage error" expect_usage frobnicate
check "unknown option is a usage error" expect_usage --frobnicate
check "probe without video is a usage error" expect_usage probe
check "probe unknown option is a usage error" expect_usage probe --nope x.mp4
check "frames bad --start is a usage error" expect_usage frames --start -3 x.mp4
check "frames bad --pixfmt is a usage error" expect_usage frames --pixfmt nv12 x.mp4
check "help of unknown command is a usage error" expect_usage help frobnicate
check "bad --log-level is a usage error" expect_usage --log-level loud probe x.mp4
one_line() { [ "$("$FACETRACK" frobnicate 2>&1 >/dev/null | wc -l)" -eq 1 ]; }
check "usage error is one line" one_line
finish
