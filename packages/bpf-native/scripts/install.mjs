// `install` lifecycle script. Package managers run `node-gyp rebuild` for any package with a
// binding.gyp unless it has its own install script; this one decides instead:
// - the addon is already there (a packed tarball ships it prebuilt): nothing to do;
// - inside the httpwatcher monorepo: `pnpm build` builds it, with the vendored libbpf;
// - otherwise: build from source (needs clang, libelf-dev, zlib1g-dev and make).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'build', 'Release', 'httpwatcher_native.node'))) process.exit(0);
if (existsSync(join(root, '..', '..', 'pnpm-workspace.yaml'))) process.exit(0);
const result = spawnSync('bash', [join(root, 'scripts', 'build-native.sh')], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
