#!/usr/bin/env bash
# Builds the bare-uprobe floor (count-hits) into bench/out/: the BPF object with clang-19 and its
# loader against the vendored libbpf of packages/bpf-native (run `pnpm build` first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
libbpf="$repo/packages/bpf-native/deps/libbpf/install"
out="$repo/bench/out"
[[ -f "$libbpf/lib/libbpf.a" ]] || { echo "floor: $libbpf/lib/libbpf.a is missing; run pnpm build first" >&2; exit 1; }
mkdir -p "$out"
multiarch="$(gcc -dumpmachine)"
case "$(uname -m)" in x86_64) arch=x86 ;; aarch64) arch=arm64 ;; *) echo "floor: unsupported $(uname -m)" >&2; exit 1 ;; esac
clang-19 -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_$arch -I "$libbpf/include" -I "/usr/include/$multiarch" \
  -c "$here/count-hits.bpf.c" -o "$out/count-hits.bpf.o"
gcc -O2 -Wall -Werror -I "$libbpf/include" "$here/count-hits.c" "$libbpf/lib/libbpf.a" -lelf -lz -o "$out/count-hits"
