#!/usr/bin/env bash
# What the tests need beyond `./setup.sh`'s fast path: every Go toolchain of the matrix (cached
# under ~/.cache/httpwatcher/go) and the whole fixture matrix (test-fixtures/build.sh, cached per
# source, toolchain and flags). `pnpm test` and `./setup.sh --all` run it; a second run only
# checks the caches.
set -euo pipefail
cd "$(dirname "$0")/.."

go_versions=(1.15 1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27)
step() { printf '\n==> %s\n' "$*" >&2; }

step "Go toolchains ${go_versions[*]} (cached under ~/.cache/httpwatcher/go)"
for v in "${go_versions[@]}"; do scripts/debian-archive.sh go "$v" >/dev/null; done

step "Debian packages the end-to-end tests run (Prometheus, the OpenTelemetry .proto files), unpacked into the cache"
grep -v '^#' test-support/debian-engines.lock | while read -r pkg version sha256; do
  [[ -n "$pkg" ]] && scripts/debian-archive.sh pinned "$pkg" "$version" "$sha256" >/dev/null
done

step "building the Go test fixtures (incremental)"
bash test-fixtures/build.sh
# The benchmark client: its literal-only headers are what image-strings.e2e.test.ts needs.
bash test-fixtures/build.sh --program bench-client --go 1.25 --variant default
# The 59 MB program whose analysis must stay in the worker thread (probe-config-worker.test.ts).
bash test-fixtures/build.sh --program bench-large --go 1.25 --variant stripped
# The program whose comm, URLs and headers attack the terminal (cli-hostile.e2e.test.ts).
bash test-fixtures/build.sh --program hostile-client --go 1.24 --variant default
# Go without net/http's client (the inspect and NO_HTTP_CLIENT tests).
bash test-fixtures/build.sh --program noclient --go 1.24 --variant default
# Go with net/http's transport but no http.Client (go-elf inspect.test.ts, transport-only.e2e.test.ts;
# arm64: the kernel matrix's transport checks, kernels/src/guest/transport-only-check.ts).
for go in 1.15 1.21 1.24 1.27; do
  bash test-fixtures/build.sh --program transport-only --go "$go" --variant default --variant arm64-default
done
# The program whose requests carry traceparent headers, credentials and error statuses (cli-otlp.e2e.test.ts).
bash test-fixtures/build.sh --program traced-client --go 1.24 --variant default
# Reverse proxy, RoundTripper middleware, bare RoundTrip and redirects from 64 goroutines, in every amd64 cell of
# the matrix (transport-proxy.e2e.test.ts; arm64: the kernel matrix's transport checks, transport-proxy-check.ts).
bash test-fixtures/build.sh --program transport-client --go 1.15 --go 1.19 --go 1.21 --go 1.22 --go 1.23 --go 1.24 \
  --go 1.25 --go 1.26 --go 1.27 --variant default --variant stripped --variant pie --variant cgo-external \
  --variant nocgo --variant noswissmap --variant arm64-default
# HTTP/2 through golang.org/x/net/http2's Transport, with Debian's x/net for each toolchain (transport-xnet.e2e.test.ts;
# arm64: the kernel matrix's transport checks, kernels/src/guest/transport-xnet-check.ts).
for go in 1.15 1.21 1.24 1.26 1.27; do
  bash test-fixtures/build.sh --program xnet-client --go "$go" --variant default --variant arm64-default
done

step "kernels pnpm test boots (5.10 and the newest; pinned by sha256, cached under ~/.cache/httpwatcher)"
pnpm test:kernels -- --fetch --kernel 5.10 --kernel newest
step "the arm64 kernel and Debian's arm64 node pnpm test boots (pinned by sha256, cached likewise)"
pnpm test:kernels -- --fetch --arch arm64
