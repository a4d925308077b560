import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NativeLoadError, packageRoot } from './load-addon.js';
import { chooseNativeFile } from './native-files.js';
import type { NativeTracer } from './native-surface.js';

/**
 * How the guardian left the tracer's cgroup (src/guardian-cgroup.h): `moved` into its own, so a
 * kill of the tracer's cgroup does not reach it; `at-root` (the hierarchy's or the cgroup
 * namespace's root: nothing to leave), `no-cgroup-v2` or `failed`: it shares the tracer's fate
 * under a cgroup kill.
 */
export type GuardianCgroupEscape = 'moved' | 'at-root' | 'no-cgroup-v2' | 'failed';

const cgroupEscapes = new Set<string>(['moved', 'at-root', 'no-cgroup-v2', 'failed'] satisfies GuardianCgroupEscape[]);

/** The resumer of held processes that outlives the tracer (src/hold-guardian.c). */
export interface HoldGuardian {
  readonly pid: number;
  readonly cgroupEscape: GuardianCgroupEscape;
  /** Settles when the guardian exits, whatever the reason (stop(), a signal, a crash). */
  readonly exited: Promise<void>;
  /** Closes the tracer's end of its pipe: the guardian resumes every process still held, then exits. */
  stop(): Promise<void>;
}

/** The hold timeout the guardian accepts, in milliseconds. */
export const holdTimeoutRangeMs = { min: 1, max: 60_000 } as const;

/** Path of the hold-guardian executable built beside the addon. */
export function holdGuardianPath(): string {
  const { path, tried } = chooseNativeFile(packageRoot, 'hold-guardian', process.arch);
  if (!path)
    throw new NativeLoadError(
      `the hold-guardian executable was not found for linux-${process.arch}; looked in:\n  ${tried.join('\n  ')}\n` +
        'Build it with `pnpm --filter @httpwatcher/bpf-native build`.',
    );
  return path;
}

/**
 * Starts the hold guardian for `tracer`: in a session of its own (so a terminal's ^C or a kill of
 * this process group does not reach it) and, once it has moved itself, a cgroup of its own (so a
 * kill of this process's cgroup does not either), holding the tracer's `held` map and the read end
 * of a pipe whose write end only this process has. It resumes each process held longer than
 * `timeoutMs`, and every held process once this process closes the pipe or dies (even by
 * SIGKILL). The tracer watches it in turn (`watchGuardian`). Resolves once the guardian has
 * checked the map, left the cgroup and is polling the map.
 */
export async function startHoldGuardian(tracer: NativeTracer, timeoutMs: number): Promise<HoldGuardian> {
  if (!Number.isInteger(timeoutMs) || timeoutMs < holdTimeoutRangeMs.min || timeoutMs > holdTimeoutRangeMs.max)
    throw new RangeError(`holdTimeoutMs must be an integer from 1 to 60000, got ${String(timeoutMs)}`);
  const child = spawn(holdGuardianPath(), [String(timeoutMs)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore', tracer.heldMapFd()],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const ready = new Promise<GuardianCgroupEscape>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const [word, move] = line.split(' ');
      if (word === 'ready' && move !== undefined && cgroupEscapes.has(move)) resolve(move as GuardianCgroupEscape);
      else reject(new Error(`hold-guardian said ${JSON.stringify(line)}`));
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`hold-guardian exited before it was ready (code ${code}, signal ${signal})`)),
    );
  });
  let cgroupEscape: GuardianCgroupEscape;
  try {
    cgroupEscape = await ready;
    // In the same turn as its ready line: not reaped yet even if it died since, so the PID is its own.
    tracer.watchGuardian(child.pid!);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  // Neither the guardian nor its pipe keeps this process alive: if it exits, the pipe closes and
  // the guardian resumes what is held.
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  return {
    pid: child.pid!,
    cgroupEscape,
    exited,
    stop: () => {
      child.ref(); // awaited from here: this process stays up until the guardian's last sweep is done
      child.stdin!.destroy();
      return exited;
    },
  };
}
