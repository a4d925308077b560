import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { ExitCode } from './exit-code.js';
import { cliBin, plainEnv } from './test-support/run-cli.js';

if (!runBpfTests) console.warn('cli-kernel.e2e: skipped — needs root to hide the kernel BTF in a mount namespace');

describe.runIf(runBpfTests)('a kernel httpwatcher cannot run on', () => {
  it('without BTF (/sys/kernel/btf/vmlinux empty, in its own mount namespace): exit 1, UNSUPPORTED_KERNEL named on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-no-btf-'));
    const empty = join(dir, 'vmlinux');
    writeFileSync(empty, '');
    try {
      const r = spawnSync(
        'unshare',
        [
          ...['--mount', '--propagation', 'private', 'sh', '-c'],
          'mount --bind "$0" /sys/kernel/btf/vmlinux && exec "$1" "$2" -p 1 --debug',
          ...[empty, process.execPath, cliBin],
        ],
        { encoding: 'utf8', env: plainEnv(), timeout: 60_000 },
      );
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `httpwatcher: this kernel (Linux ${release()}) lacks BTF type information ` +
          '(/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF); httpwatcher needs Linux 5.8 or later, built with BTF ' +
          '(CONFIG_DEBUG_INFO_BTF) and uprobes\n',
      );
      expect(r.status).toBe(ExitCode.failed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
