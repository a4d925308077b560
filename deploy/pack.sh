#!/usr/bin/env bash
# Packs every published package of the workspace into deploy/tarballs/, as the Containerfile expects
# them (pnpm pack turns workspace:* into versions). Run after `pnpm build`.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/deploy/tarballs"
rm -rf "$out" && mkdir -p "$out"
pnpm ls -r --depth -1 --json |
  node -e 'for (const p of JSON.parse(require("fs").readFileSync(0, "utf8"))) if (!p.private) console.log(p.path)' |
  while read -r dir; do (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null); done
ls "$out"
