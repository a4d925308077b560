#!/usr/bin/env bash
# One-command setup for a fresh clone on Debian 12, as root. Idempotent: re-running only does
# what is missing. Installs what `pnpm demo` needs: the build tools, pnpm (pinned), one Go
# toolchain (from Debian's archive, into ~/.cache/httpwatcher, never system-wide), the
# dependencies, the vendored libbpf, the BPF program, the native addon, every package and the demo
# program. The other toolchains and the fixture matrix come with `pnpm test`, or now with --all.
#
#   ./setup.sh          # what `pnpm demo` needs
#   ./setup.sh --all    # and everything the tests need (scripts/test-prerequisites.sh)
set -euo pipefail
cd "$(dirname "$0")"

all=false
case "${1:-}" in
  --all) all=true ;;
  "") ;;
  *) echo "setup.sh: unknown argument $1 (expected nothing or --all)" >&2; exit 2 ;;
esac

pnpm_version="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
demo_go=1.24  # scripts/demo.mjs runs test-fixtures/out/go1.24/default/client
apt_packages=(clang-19 clang-format-19 libelf-dev zlib1g-dev pkg-config make g++ gcc binutils binutils-aarch64-linux-gnu python3 ca-certificates git
  bpftool bpftrace util-linux libcap2-bin  # benchmarks (bpftrace, bpftool) and namespace/privilege tests
  tmux curl  # the top view's test drives it in tmux; the curl format's test runs the commands it prints
  qemu-system-x86 busybox-static dpkg  # the kernel matrix (pnpm test:kernels; pnpm test boots 5.10 and the newest)
  g++-aarch64-linux-gnu file  # the linux-arm64 addon (cross-compiled) and the packed tarball's check of it
  qemu-system-arm qemu-user-static)  # the arm64 kernel matrix (pnpm test:kernels -- --arch arm64) and the addon's load check

step() { printf '\n==> %s\n' "$*" >&2; }

if [[ "$(id -u)" != 0 ]]; then
  echo "setup.sh: run as root (it installs Debian packages, and tracing needs root anyway)" >&2
  exit 1
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  step "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]]; then
  step "installing pnpm $pnpm_version"
  npm install -g --silent "pnpm@$pnpm_version"
fi

step "Go toolchain $demo_go (cached under ~/.cache/httpwatcher/go)"
scripts/debian-archive.sh go "$demo_go" >/dev/null

step "pnpm install"
pnpm install --frozen-lockfile

step "building (libbpf, BPF program, native addon, packages)"
pnpm build

step "building the demo program"
bash test-fixtures/build.sh --program client --go "$demo_go" --variant default

if $all; then scripts/test-prerequisites.sh; fi
