#!/usr/bin/env bash
# Cross-compiles the linux-arm64 addon and hold guardian into prebuilds/linux-arm64/ with Debian's
# aarch64-linux-gnu toolchain: the vendored libbpf built again for arm64 (static, as for x64), and
# libelf and zlib linked dynamically, as for x64, against Debian bookworm's arm64 packages (pinned
# below; bookworm's glibc 2.36 is the floor the cross toolchain sets). The Node-API headers come
# from the node-api-headers package. Incremental: nothing is rebuilt when no input changed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"
out="$here/prebuilds/linux-arm64"
work="$here/deps/arm64"
cc=aarch64-linux-gnu-gcc
cxx=aarch64-linux-gnu-g++

if ! command -v "$cxx" >/dev/null; then
  advice="$cxx is missing: apt-get install g++-aarch64-linux-gnu (setup.sh does)"
  if [[ "${CI:-}" == true ]]; then echo "build-native-arm64: $advice" >&2; exit 1; fi
  echo "build-native-arm64: skipped, $advice; the packed tarball will lack the arm64 addon" >&2
  exit 0
fi

# <package> <version> <sha256 of the arm64 .deb>
pinned=(
  "libelf1 0.188-2.1 32971952d8f5d563447bf275f24e26057500924da2d855c1edb53b0f0400bd11"
  "libelf-dev 0.188-2.1 fe16ede10e1b80a2f882f0e83c52695e77280c61eebe7106f016d4025e82399b"
  "zlib1g 1:1.2.13.dfsg-1 52b8b8a145bbe1956bba82034f77022cbef0c3d0885c9e32d9817a7932fe1913"
  "zlib1g-dev 1:1.2.13.dfsg-1 afb60f0bae432f2f0edfe2d674e99c1a13a147c9aa2b52f2f23e3df19ece76f5"
  # uv.h only (ring-pump.cc embeds uv_poll_t and uv_timer_t; libuv 1.x keeps their ABI): node
  # provides the uv_* symbols at run time.
  "libuv1-dev 1.44.2-1+deb12u1 e2136dd1c37bbe1374535f73dd83a28e46fdbad41164c313e55fc5f400c7fcbf"
)
sources=$(node -p 'JSON.parse(require("node:fs").readFileSync("binding.gyp", "utf8")).targets.find((t) => t.target_name === "httpwatcher_native").sources.join(" ")')
guardian_sources=$(node -p 'JSON.parse(require("node:fs").readFileSync("binding.gyp", "utf8")).targets.find((t) => t.target_name === "hold-guardian").sources.join(" ")')
napi_include="$(node -p 'require("node-api-headers").include_dir')"
addon_include="$(node -p 'require("node:path").resolve(require("node-addon-api").include_dir)')"

# The key of everything the outputs depend on: skip the build when it is unchanged.
key=$({
  printf '%s\n' "${pinned[@]}" "$("$cxx" --version | head -n1)"
  cat "$here/deps/libbpf/.version" binding.gyp "$0"
  # shellcheck disable=SC2086
  cat $sources $guardian_sources src/*.h "$repo"/bpf/*.h
} | sha256sum | cut -c1-16)
if [[ "$(cat "$out/.key" 2>/dev/null)" == "$key" && -f "$out/httpwatcher_native.node" && -f "$out/hold-guardian" ]]; then
  exit 0
fi

# arm64 libelf and zlib: headers from the -dev packages, the shared objects from the runtime ones.
sysroot="$work/sysroot"
rm -rf "$sysroot" && mkdir -p "$sysroot/include" "$sysroot/lib"
for p in "${pinned[@]}"; do
  read -r name version sha256 <<<"$p"
  dir=$(HTTPWATCHER_DEB_ARCH=arm64 "$repo/scripts/debian-archive.sh" pinned "$name" "$version" "$sha256")
  [[ -d "$dir/usr/include" ]] && cp -a "$dir/usr/include/." "$sysroot/include/"
  find "$dir" -name '*.so.1' -exec cp -a -L {} "$sysroot/lib/" \;
done

# libbpf for arm64 from the same vendored source tree (fetch-libbpf.sh checked it).
libbpf_obj="$work/libbpf"
rm -rf "$libbpf_obj" && mkdir -p "$libbpf_obj"
make -s -C "$here/deps/libbpf/src" BUILD_STATIC_ONLY=1 OBJDIR="$libbpf_obj" CC="$cc" AR=aarch64-linux-gnu-ar \
  EXTRA_CFLAGS="-fPIC -fvisibility=hidden -O2 -I$sysroot/include" "$libbpf_obj/libbpf.a" >/dev/null

# The flags node-gyp gives the x64 build (Release), for the same sources.
includes=(-I "$napi_include" -I "$addon_include" -I "$here/deps/libbpf/install/include" -I "$repo/bpf" -I "$sysroot/include")
defines=(-DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_DEPRECATED -DBUILDING_NODE_EXTENSION
  -DNODE_GYP_MODULE_NAME=httpwatcher_native -D_LARGEFILE_SOURCE -D_FILE_OFFSET_BITS=64)
objs="$work/obj" && rm -rf "$objs" && mkdir -p "$objs" "$out"
objects=()
for src in $sources; do
  obj="$objs/$(basename "$src").o"
  if [[ "$src" == *.c ]]; then
    "$cc" -fPIC -pthread -O3 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -fvisibility=hidden "${defines[@]}" "${includes[@]}" -c "$src" -o "$obj"
  else
    "$cxx" -fPIC -pthread -O3 -std=c++17 -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
      "${defines[@]}" "${includes[@]}" -c "$src" -o "$obj"
  fi
  objects+=("$obj")
done
libs=("$libbpf_obj/libbpf.a" "$sysroot/lib/libelf.so.1" "$sysroot/lib/libz.so.1")
"$cxx" -shared -pthread -rdynamic -o "$out/httpwatcher_native.node.tmp" "${objects[@]}" "${libs[@]}" \
  -Wl,--exclude-libs,ALL -Wl,-rpath-link,"$sysroot/lib"
# shellcheck disable=SC2086
"$cc" -std=gnu11 -Wall -Wextra -O2 -I "$here/deps/libbpf/install/include" -I "$repo/bpf" -I "$sysroot/include" \
  -o "$out/hold-guardian.tmp" $guardian_sources "${libs[@]}" -Wl,-rpath-link,"$sysroot/lib"
aarch64-linux-gnu-strip --strip-unneeded "$out/httpwatcher_native.node.tmp" "$out/hold-guardian.tmp"
mv "$out/httpwatcher_native.node.tmp" "$out/httpwatcher_native.node"
mv "$out/hold-guardian.tmp" "$out/hold-guardian"
echo "$key" >"$out/.key"
echo "build-native-arm64: prebuilds/linux-arm64/httpwatcher_native.node prebuilds/linux-arm64/hold-guardian" >&2
