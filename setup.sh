#!/usr/bin/env bash
# One-command setup for a fresh clone on Debian 12, as root. Idempotent: re-running only does
# what is missing. Installs the build tools, pnpm (pinned), the Go toolchains the test fixtures
# need (from Debian's archive, into ~/.cache/httpwatcher, never system-wide), the dependencies,
# the vendored libbpf, the BPF program, the native addon and every package; then the fixtures.
set -euo pipefail
cd "$(dirname "$0")"

pnpm_version="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
go_versions=(1.15 1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27)
apt_packages=(clang-19 clang-format-19 libelf-dev zlib1g-dev pkg-config make g++ gcc binutils binutils-aarch64-linux-gnu python3 ca-certificates git
  bpftool bpftrace util-linux libcap2-bin  # benchmarks (bpftrace, bpftool) and namespace/privilege tests
  qemu-system-x86 busybox-static dpkg)     # the kernel matrix (pnpm test:kernels; pnpm test boots 5.10 and the newest)

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

step "Go toolchains ${go_versions[*]} (cached under ~/.cache/httpwatcher/go)"
for v in "${go_versions[@]}"; do scripts/debian-archive.sh go "$v" >/dev/null; done

step "Debian packages the end-to-end tests run (Prometheus, the OpenTelemetry .proto files), unpacked into the cache"
grep -v '^#' test-support/debian-engines.lock | while read -r pkg version sha256; do
  [[ -n "$pkg" ]] && scripts/debian-archive.sh pinned "$pkg" "$version" "$sha256" >/dev/null
done

step "pnpm install"
pnpm install --frozen-lockfile

step "building (libbpf, BPF program, native addon, packages)"
pnpm build

step "building the Go test fixtures (incremental)"
bash test-fixtures/build.sh
# The benchmark client: its literal-only headers are what image-strings.e2e.test.ts needs.
bash test-fixtures/build.sh --program bench-client --go 1.25 --variant default
# The program whose comm, URLs and headers attack the terminal (cli-hostile.e2e.test.ts).
bash test-fixtures/build.sh --program hostile-client --go 1.24 --variant default

# The program whose requests carry traceparent headers, credentials and error statuses (cli-otlp.e2e.test.ts).
bash test-fixtures/build.sh --program traced-client --go 1.24 --variant default

step "kernels pnpm test boots (5.10 and the newest; pinned by sha256, cached under ~/.cache/httpwatcher)"
pnpm test:kernels -- --fetch --kernel 5.10 --kernel newest
