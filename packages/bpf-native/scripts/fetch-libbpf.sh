#!/usr/bin/env bash
# Vendors libbpf (pinned, checksum-verified) from Debian's source package into deps/libbpf and
# builds its static library with -fPIC for linking into the addon. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
version=1.5.0
tarball="libbpf_${version}.orig.tar.gz"
sha256=53492aff6dd47e4da04ef5e672d753b9743848bdb38e9d90eafbe190b7983c44
dest="$here/deps/libbpf"

if [[ -f "$dest/.version" && "$(cat "$dest/.version")" == "$version-$sha256" && -f "$dest/build/libbpf.a" ]]; then
  exit 0
fi
path="$("$repo/scripts/debian-archive.sh" source libbpf "$tarball")"
echo "$sha256  $path" | sha256sum --check --quiet || {
  echo "fetch-libbpf: checksum mismatch for $path (expected $sha256); delete it and retry" >&2; exit 1; }
rm -rf "$dest" && mkdir -p "$dest"
tar -xzf "$path" -C "$dest" --strip-components=1
make -s -C "$dest/src" BUILD_STATIC_ONLY=1 OBJDIR="$dest/build" \
  EXTRA_CFLAGS="-fPIC -fvisibility=hidden -O2" \
  DESTDIR="$dest/install" PREFIX= LIBDIR=/lib INCLUDEDIR=/include install >/dev/null
cp "$dest/install/lib/libbpf.a" "$dest/build/libbpf.a"
echo "$version-$sha256" >"$dest/.version"
echo "fetch-libbpf: libbpf $version built at ${dest#$repo/}" >&2
