import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bpfObjectPath } from '../bpf-object.js';
import { packageRoot } from '../load-addon.js';

export interface ChildResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of the scripts beside this file in its own Node.js process, with the addon and the BPF
 * object it should load: what the addon does to a whole process (an uncaught exception, an
 * abort) can be observed from outside.
 */
export function runNativeChild(script: string, env: Record<string, string> = {}): ChildResult {
  const result = spawnSync(process.execPath, [join(packageRoot, 'src', 'test-support', script)], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...process.env,
      HW_ADDON: process.env.HTTPWATCHER_NATIVE_PATH ?? join(packageRoot, 'build', 'Release', 'httpwatcher_native.node'),
      HW_OBJECT: bpfObjectPath(),
      ...env,
    },
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}
