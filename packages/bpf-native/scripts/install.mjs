// `install` lifecycle script. Package managers run `node-gyp rebuild` for any package with a
// binding.gyp unless it has its own install script; this one decides instead:
// - inside the httpwatcher monorepo: `pnpm build` builds the addon, with the vendored libbpf;
// - a packed tarball ships the addon prebuilt for linux-x64 (build/Release/) and linux-arm64
//   (prebuilds/linux-arm64/): nothing to build there, and a clear refusal anywhere else.
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, '..', '..', 'pnpm-workspace.yaml'))) process.exit(0);
const dirs = { x64: join(root, 'build', 'Release'), arm64: join(root, 'prebuilds', 'linux-arm64') };
const dir = process.platform === 'linux' ? dirs[process.arch] : undefined;
if (dir && existsSync(join(dir, 'httpwatcher_native.node'))) {
  // npm packs every file but a `bin` as 0644: the hold guardian is run, so it gets its mode back.
  const guardian = join(dir, 'hold-guardian');
  if (existsSync(guardian)) chmodSync(guardian, 0o755);
  process.exit(0);
}
console.error(
  `@httpwatcher/bpf-native: no prebuilt addon for ${process.platform}-${process.arch} (this package ships linux-x64 and linux-arm64).\n` +
    'Build it from the httpwatcher repository (./setup.sh) and point HTTPWATCHER_NATIVE_PATH at build/Release/httpwatcher_native.node.',
);
process.exit(1);
