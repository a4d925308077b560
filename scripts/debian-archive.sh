#!/usr/bin/env bash
# Fetches Debian packages into a private cache without touching the system's apt state.
# The mirror URI is read from this machine's own apt sources; no host is written down here.
#
#   scripts/debian-archive.sh binary <package> [<package>...]   -> prints the unpacked dir of each
#   scripts/debian-archive.sh source <srcpkg> <orig-tarball-name> -> prints the path of the tarball
#   scripts/debian-archive.sh go <1.NN>                            -> prints a GOROOT (golang-1.NN-go + -src)
#   scripts/debian-archive.sh list <regex>                          -> prints "<package> <version>" per match
#   scripts/debian-archive.sh deb <package> <version>               -> prints the path of exactly that .deb
#   scripts/debian-archive.sh pinned <package> <version> <sha256>   -> checks that .deb's sha256, prints its unpacked dir
#   scripts/debian-archive.sh closure <suite> <package>...           -> prints "<package> <version>" of everything
#                                                                       installing them on an empty system takes
#
# HTTPWATCHER_DEB_ARCH=arm64 selects another architecture's packages (own index, own cache dirs):
# the arm64 addon links against arm64 libraries, and the arm64 guest runs arm64 programs.
set -euo pipefail

cache_root="${HTTPWATCHER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/httpwatcher}"
arch="${HTTPWATCHER_DEB_ARCH:-amd64}"
[[ "$arch" =~ ^(amd64|arm64)$ ]] || { echo "debian-archive: HTTPWATCHER_DEB_ARCH must be amd64 or arm64, got '$arch'" >&2; exit 2; }
# amd64 keeps the directories it always had; another architecture gets its own beside them.
suffix=""; [[ "$arch" == amd64 ]] || suffix="-$arch"
apt_root="$cache_root/apt$suffix"
suites=(bullseye bookworm bookworm-backports trixie trixie-backports experimental)

mirror_uri() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    # deb822: first "URIs:" whose path ends in /debian (not -security, not third-party).
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list.d/*.sources)
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):.*\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list)
  fi
  [[ -n "$uri" ]] || { echo "debian-archive: no Debian mirror found in /etc/apt/sources*" >&2; exit 1; }
  echo "${uri%/}"
}

apt_opts=()
prepare_apt() {
  mkdir -p "$apt_root"/{lists/partial,archives/partial,cache,etc/preferences.d,etc/trusted.gpg.d}
  local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror=$(mirror_uri)
  local sources="$apt_root/etc/sources.list"
  : >"$sources.new"
  for s in "${suites[@]}"; do
    echo "deb [signed-by=$keyring] $mirror $s main" >>"$sources.new"
    echo "deb-src [signed-by=$keyring] $mirror $s main" >>"$sources.new"
  done
  mv "$sources.new" "$sources"
  apt_opts=(
    -o "Dir::Etc::SourceList=$sources" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_root/etc/preferences.d"
    -o "Dir::State::Lists=$apt_root/lists" -o "Dir::Cache=$apt_root/cache"
    -o "Dir::Cache::Archives=$apt_root/archives" -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
    -o "Acquire::Languages=none" -o "APT::Sandbox::User=root" -o "APT::Get::AllowUnauthenticated=false"
  )
  # Refresh the index at most once a day; lists are small, the packages are what we cache.
  local stamp="$apt_root/lists/.updated"
  if [[ ! -f "$stamp" || -n "$(find "$stamp" -mmin +1440)" ]]; then
    apt-get -qq "${apt_opts[@]}" update >&2
    touch "$stamp"
  fi
}

cmd="${1:-}"; shift || true
case "$cmd" in
  binary)
    prepare_apt
    mkdir -p "$cache_root/debs$suffix" "$cache_root/pkgs$suffix"
    for pkg in "$@"; do
      version=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
      [[ -n "$version" ]] || { echo "debian-archive: package $pkg not found in ${suites[*]}" >&2; exit 1; }
      dest="$cache_root/pkgs$suffix/$pkg"_"${version//:/%3a}"
      if [[ ! -f "$dest/.unpacked" ]]; then
        (cd "$cache_root/debs$suffix" && apt-get -qq "${apt_opts[@]}" download "$pkg=$version" >&2)
        deb=$(ls "$cache_root/debs$suffix/${pkg}_"*"${version#*:}"*.deb | head -n1)
        rm -rf "$dest" && mkdir -p "$dest"
        dpkg -x "$deb" "$dest"
        touch "$dest/.unpacked"
      fi
      echo "$dest"
    done
    ;;
  go)
    minor="$1"
    [[ "$minor" =~ ^1\.[0-9]+$ ]] || { echo "debian-archive: expected a Go minor version like 1.24, got '$minor'" >&2; exit 2; }
    goroot_parent="$cache_root/go/$minor"
    # Several checkouts may set up at once: one unpacks, the others wait for it.
    mkdir -p "$cache_root/go"
    exec 9>"$cache_root/go/.lock-$minor"
    flock 9
    if [[ ! -f "$goroot_parent/.complete" ]]; then
      rm -rf "$goroot_parent" && mkdir -p "$goroot_parent"
      for d in $("$0" binary "golang-$minor-go" "golang-$minor-src"); do
        cp -a "$d/usr" "$goroot_parent/"
      done
      touch "$goroot_parent/.complete"
    fi
    echo "$goroot_parent/usr/lib/go-$minor"
    ;;
  list)
    # Every version of every package whose name matches, one line each (kernels are pinned by name + version).
    prepare_apt
    pattern="$1"
    mapfile -t names < <(apt-cache "${apt_opts[@]}" search --names-only "$pattern" | awk '{print $1}' | sort -u)
    [[ ${#names[@]} -gt 0 ]] || exit 0
    apt-cache "${apt_opts[@]}" show "${names[@]}" | awk '/^Package:/ {p = $2} /^Version:/ {print p, $2}' | sort -u
    ;;
  deb)
    # One exact version's .deb (apt checks it against the archive's signed index); prints its path.
    pkg="$1"; version="$2"
    # Architecture-independent packages (.proto files, scripts) are _all.deb.
    debs="$cache_root/debs$suffix"
    # apt names the file <pkg>_<version>_<arch>.deb with an epoch's ':' written as %3a.
    saved() {
      local v
      for v in "${version//:/%3a}" "${version#*:}"; do
        for a in "$arch" all; do [[ -f "$debs/${pkg}_${v}_$a.deb" ]] && { echo "$debs/${pkg}_${v}_$a.deb"; return; }; done
      done
      echo "$debs/${pkg}_${version//:/%3a}_$arch.deb"
    }
    deb=$(saved)
    if [[ ! -f "$deb" ]]; then
      prepare_apt
      mkdir -p "$debs"
      (cd "$debs" && apt-get -qq "${apt_opts[@]}" download "$pkg=$version" >&2)
      deb=$(saved)
      [[ -f "$deb" ]] || { echo "debian-archive: apt saved $pkg $version elsewhere than $deb" >&2; exit 1; }
    fi
    echo "$deb"
    ;;
  pinned)
    # The same .deb, also checked against the sha256 a lock file committed: the same bytes everywhere.
    pkg="$1"; version="$2"; sha256="$3"
    [[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || { echo "debian-archive: expected a sha256, got '$sha256'" >&2; exit 2; }
    dest="$cache_root/pkgs$suffix/$pkg"_"${version//:/%3a}"
    # Trust an unpacked copy only if it was unpacked from a .deb with this very sha256.
    if [[ "$(cat "$dest/.sha256" 2>/dev/null)" != "$sha256" ]]; then
      deb=$("$0" deb "$pkg" "$version")
      got=$(sha256sum "$deb" | cut -d' ' -f1)
      if [[ "$got" != "$sha256" ]]; then
        rm -f "$deb"
        echo "debian-archive: $pkg $version has sha256 $got, the lock says $sha256" >&2
        exit 1
      fi
      rm -rf "$dest" && mkdir -p "$dest"
      dpkg -x "$deb" "$dest"
      touch "$dest/.unpacked"
      echo "$sha256" >"$dest/.sha256"
    fi
    echo "$dest"
    ;;
  closure)
    # What apt would install on an empty system (no Recommends), preferring <suite>'s versions.
    prepare_apt
    suite="$1"; shift
    apt-get "${apt_opts[@]}" -o Dir::State::status=/dev/null -o APT::Default-Release="$suite" \
      -o APT::Install-Recommends=false -s install "$@" | awk '$1 == "Inst" { gsub(/[()]/, "", $3); print $2, $3 }' | sort
    ;;
  source)
    prepare_apt
    srcpkg="$1"; tarball="$2"
    dir="$cache_root/src/$srcpkg"; mkdir -p "$dir"
    if [[ ! -f "$dir/$tarball" ]]; then
      (cd "$dir" && apt-get -qq "${apt_opts[@]}" source --download-only "$srcpkg" >&2)
    fi
    [[ -f "$dir/$tarball" ]] || { echo "debian-archive: $tarball not in source package $srcpkg" >&2; exit 1; }
    echo "$dir/$tarball"
    ;;
  *) echo "usage: $0 binary <pkg>... | go <1.NN> | list <regex> | deb <pkg> <version> | pinned <pkg> <version> <sha256> | closure <suite> <pkg>... | source <srcpkg> <tarball>" >&2; exit 2 ;;
esac
