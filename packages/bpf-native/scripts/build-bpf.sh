#!/usr/bin/env bash
# Compiles the BPF program in <repo>/bpf for each target architecture into bpf-objects/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
clang="${BPF_CLANG:-$(command -v clang-19 || command -v clang)}"
out="$here/bpf-objects"
mkdir -p "$out"
multiarch="$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"
# Two builds per architecture from one source (docs/kernels.md): the default one, and the compat
# one for Linux 5.8-5.16 (no bpf_loop, BPF cookies or BTF-typed task).
for arch in x86 arm64; do
  for build in default compat; do
    flags=() suffix=""
    if [[ $build == compat ]]; then flags=(-DHW_COMPAT) suffix=".compat"; fi
    "$clang" -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_$arch "${flags[@]}" \
      -I "$here/deps/libbpf/install/include" -I "/usr/include/$multiarch" -I "$repo/bpf" \
      -c "$repo/bpf/httpwatcher.bpf.c" -o "$out/httpwatcher.$arch$suffix.bpf.o"
  done
done
echo "build-bpf: $(ls "$out" | tr '\n' ' ')" >&2
