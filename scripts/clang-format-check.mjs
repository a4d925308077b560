// Runs clang-format over the repository's C and C++ (bpf/ and the native addon), checking by default
// and rewriting with --write. The style files are bpf/.clang-format and packages/bpf-native/.clang-format.
import { execFileSync, spawnSync } from 'node:child_process';

const write = process.argv.includes('--write');
const binary = ['clang-format-19', 'clang-format'].find((b) => spawnSync(b, ['--version']).status === 0);
if (!binary) {
  console.error('clang-format-check: clang-format-19 is not installed (./setup.sh installs it)');
  process.exit(1);
}
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'bpf', 'packages/bpf-native/src'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => /\.(c|h|cc)$/.test(f));
const args = write ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const result = spawnSync(binary, args, { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('clang-format-check: C/C++ is not formatted; run `pnpm format`');
  process.exit(1);
}
