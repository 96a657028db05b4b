#!/usr/bin/env bash
# install.sh DIR: onnxruntime-node (pinned in package-lock.json, integrity
# hashes checked by `npm ci`, install scripts off: its CPU library ships in
# the package) into DIR, once; again only when the lock changes. Prints the
# node_modules folder, or why it could not (exit 1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
if ! cmp -s "$here/package-lock.json" "$dir/package-lock.json" ||
    [ ! -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$here/package.json" "$here/package-lock.json" "$dir/"
    if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$dir/npm.log" 2>&1; then
        rm -f "$dir/package-lock.json"
        echo "npm could not install onnxruntime-node (offline?): $(grep -m1 -i error "$dir/npm.log" | cut -c1-160)"
        exit 1
    fi
fi
echo "$dir/node_modules"
