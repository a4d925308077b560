#!/usr/bin/env bash
# Builds the Go test programs for every toolchain × variant of the matrix, incrementally:
# each output is cached under a key made of the sources, the toolchain and the build flags.
#
#   test-fixtures/build.sh                   # the whole matrix
#   test-fixtures/build.sh --go 1.24         # one toolchain (repeatable)
#   test-fixtures/build.sh --variant default # one variant (repeatable)
#
# Writes test-fixtures/out/manifest.json, which tests read to find the binaries.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$here/out"
cache_root="${HTTPWATCHER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/httpwatcher}"

all_versions=(1.15 1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27)
all_variants=(default stripped pie cgo-external nocgo arm64-default arm64-stripped arm64-pie noswissmap arm64-noswissmap)
programs=(client response-client)
versions=(); variants=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --go) versions+=("$2"); shift 2 ;;
    --variant) variants+=("$2"); shift 2 ;;
    --program) programs=("$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ ${#versions[@]} -gt 0 ]] || versions=("${all_versions[@]}")
[[ ${#variants[@]} -gt 0 ]] || variants=("${all_variants[@]}")

# variant -> "GOARCH CGO_ENABLED flags..." ; empty means the cell does not exist for that version.
variant_spec() {
  local v="$1" minor="${2#1.}"
  case "$v" in
    default) echo "amd64 1" ;;
    stripped) echo "amd64 1 -ldflags=-s -w" ;;
    pie) echo "amd64 1 -buildmode=pie" ;;
    cgo-external) echo "amd64 1 -ldflags=-linkmode=external" ;;
    nocgo) echo "amd64 0" ;;
    arm64-default) echo "arm64 0" ;;
    arm64-stripped) echo "arm64 0 -ldflags=-s -w" ;;
    arm64-pie) echo "arm64 0 -buildmode=pie" ;;
    noswissmap) if [[ "$minor" == 24 || "$minor" == 25 ]]; then echo "amd64 1 GOEXPERIMENT=noswissmap"; fi ;;
    arm64-noswissmap) if [[ "$minor" == 24 || "$minor" == 25 ]]; then echo "arm64 0 GOEXPERIMENT=noswissmap"; fi ;;
    *) echo "build.sh: unknown variant $v (known: ${all_variants[*]})" >&2; exit 2 ;;
  esac
}

# A program with a modules.txt gets a go.mod generated for toolchain $2: the program's own, plus a
# `replace` of each module it lists for that toolchain by Debian's package of it (checked against
# its sha256). Prints the generated file's path, or nothing for a program without modules.txt.
modfile_for() {
  local program="$1" minor="${2#1.}" list="$here/$1/modules.txt"
  [[ -f "$list" ]] || return 0
  local dir="$cache_root/modfiles/$program-go$2" lo hi module package version sha unpacked
  mkdir -p "$dir"
  cp "$here/$program/go.mod" "$dir/go.mod.tmp"
  while read -r lo hi module package version sha; do
    [[ -z "$lo" || "$lo" == \#* ]] && continue
    (( minor >= ${lo#1.} && minor <= ${hi#1.} )) || continue
    if [[ "$package" == - ]]; then
      # Only named in a dependency's go.mod, never built: an empty module ends the graph there.
      [[ "$module" =~ ^[a-z0-9./-]+$ ]] || { echo "build.sh: bad module name $module" >&2; exit 2; }
      mkdir -p "$dir/stubs/$module"
      echo "module $module" >"$dir/stubs/$module/go.mod"
      echo "replace $module => $dir/stubs/$module" >>"$dir/go.mod.tmp"
      continue
    fi
    unpacked="$("$repo/scripts/debian-archive.sh" pinned "$package" "$version" "$sha")"
    echo "replace $module => $unpacked/usr/share/gocode/src/$module" >>"$dir/go.mod.tmp"
  done <"$list"
  mv "$dir/go.mod.tmp" "$dir/go.mod"
  : >"$dir/go.sum"
  echo "$dir/go.mod"
}

mkdir -p "$out"
manifest_rows=()
total_start=$(date +%s.%N)
for version in "${versions[@]}"; do
  goroot="$("$repo/scripts/debian-archive.sh" go "$version")"
  gobin="$goroot/bin/go"
  goversion="$(head -n1 "$goroot/VERSION")"  # go env GOVERSION prints nothing on Go 1.15
  for program in "${programs[@]}"; do
    src_hash=$(cd "$here/$program" && find . -type f \( -name '*.go' -o -name go.mod -o -name modules.txt \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
    for variant in "${variants[@]}"; do
      spec="$(variant_spec "$variant" "$version")"
      [[ -n "$spec" ]] || continue
      read -r goarch cgo rest <<<"$spec"
      experiment=""; flags=()
      if [[ "${rest:-}" == GOEXPERIMENT=* ]]; then experiment="${rest#GOEXPERIMENT=}"; elif [[ -n "${rest:-}" ]]; then flags=("$rest"); fi
      key=$(printf '%s|%s|%s|%s|%s|%s' "$src_hash" "$goversion" "$goarch" "$cgo" "$experiment" "${flags[*]:-}" | sha256sum | cut -c1-16)
      dir="$out/go$version/$variant"
      bin="$dir/$program"
      if [[ -f "$dir/.key-$program" && "$(cat "$dir/.key-$program")" == "$key" && -x "$bin" ]]; then
        status="cached"; secs="0"
      else
        mkdir -p "$dir"
        start=$(date +%s.%N)
        cc_env=()
        if [[ "$cgo" == 1 ]]; then cc_env=(CC=gcc); fi
        modfile="$(modfile_for "$program" "$version")"
        mod_flags=()
        if [[ -n "$modfile" ]]; then mod_flags=("-modfile=$modfile"); fi
        (cd "$here/$program" && env GOROOT="$goroot" GOPATH="$cache_root/gopath" GOCACHE="$cache_root/gocache/$version" \
          GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on GOARCH="$goarch" GOOS=linux \
          CGO_ENABLED="$cgo" GOEXPERIMENT="$experiment" "${cc_env[@]}" \
          "$gobin" build -o "$bin.tmp" "${mod_flags[@]}" "${flags[@]}" .)
        mv "$bin.tmp" "$bin"
        echo "$key" >"$dir/.key-$program"
        secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')
        status="built"
      fi
      printf '%-7s go%-5s %-14s %-8s %6.1fs  %s\n' "$status" "$version" "$variant" "$program" "$secs" "${bin#$repo/}" >&2
      manifest_rows+=("$(printf '{"program":"%s","go":"%s","goVersion":"%s","variant":"%s","goarch":"%s","cgo":%s,"goexperiment":"%s","flags":"%s","path":"%s","goroot":"%s"}' \
        "$program" "$version" "$goversion" "$variant" "$goarch" "$cgo" "$experiment" "${flags[*]:-}" "${bin#$repo/}" "$goroot")")
    done
  done
done
{
  echo '['
  for i in "${!manifest_rows[@]}"; do
    sep=","; [[ $i -eq $((${#manifest_rows[@]} - 1)) ]] && sep=""
    echo "  ${manifest_rows[$i]}$sep"
  done
  echo ']'
} >"$out/manifest.json.tmp"
# Keep rows of cells not rebuilt this time, so partial builds add to the manifest.
cd "$repo" && node -e '
const fs = require("fs");
const [prev, next, dest] = process.argv.slice(1);
const old = fs.existsSync(prev) ? JSON.parse(fs.readFileSync(prev, "utf8")) : [];
const fresh = JSON.parse(fs.readFileSync(next, "utf8"));
const key = (r) => `${r.program}|${r.go}|${r.variant}`;
const seen = new Set(fresh.map(key));
const merged = [...old.filter((r) => !seen.has(key(r)) && fs.existsSync(r.path)), ...fresh]
  .sort((a, b) => key(a).localeCompare(key(b), "en", { numeric: true }));
fs.writeFileSync(dest, JSON.stringify(merged, null, 2) + "\n");
' "$out/manifest.json" "$out/manifest.json.tmp" "$out/manifest.json"
rm -f "$out/manifest.json.tmp"
printf 'fixtures: %d cells in %.1fs\n' "${#manifest_rows[@]}" "$(awk -v a="$total_start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')" >&2
