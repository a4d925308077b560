// `install` lifecycle script. Package managers run `node-gyp rebuild` for any package with a
// binding.gyp unless it has its own install script; this one decides instead:
// - inside the httpwatcher monorepo: `pnpm build` builds the addon, with the vendored libbpf;
// - a packed tarball ships the addon prebuilt for linux-x64 only: nothing to do there, and a
//   clear refusal anywhere else (the BPF objects for arm64 are built, a prebuilt arm64 addon is not yet).
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, '..', '..', 'pnpm-workspace.yaml'))) process.exit(0);
const prebuilt = join(root, 'build', 'Release', 'httpwatcher_native.node');
if (process.platform === 'linux' && process.arch === 'x64' && existsSync(prebuilt)) {
  // npm packs every file but a `bin` as 0644: the hold guardian is run, so it gets its mode back.
  const guardian = join(root, 'build', 'Release', 'hold-guardian');
  if (existsSync(guardian)) chmodSync(guardian, 0o755);
  process.exit(0);
}
console.error(
  `@httpwatcher/bpf-native: no prebuilt addon for ${process.platform}-${process.arch} (this package ships linux-x64).\n` +
    'Build it from the httpwatcher repository (./setup.sh) and point HTTPWATCHER_NATIVE_PATH at build/Release/httpwatcher_native.node.',
);
process.exit(1);
