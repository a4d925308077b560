#!/usr/bin/env bash
# Full native build: vendored libbpf, the BPF objects, then the addon (incremental).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bash scripts/fetch-libbpf.sh
bash scripts/build-bpf.sh
gyp="$here/node_modules/.bin/node-gyp"
# Configured again whenever binding.gyp changed (a new source or target).
[[ -f build/Makefile && build/Makefile -nt binding.gyp ]] || "$gyp" configure >/dev/null
"$gyp" build --jobs max >/dev/null
if ldd build/Release/httpwatcher_native.node | grep -q libbpf; then
  echo "build-native: the addon links libbpf dynamically; it must be static" >&2; exit 1
fi
echo "build-native: build/Release/httpwatcher_native.node build/Release/hold-guardian" >&2
# The linux-arm64 addon and guardian, cross-compiled (skipped with a warning without the toolchain).
bash scripts/build-native-arm64.sh
