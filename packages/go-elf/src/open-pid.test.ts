import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';
import { clientDoName, transportRoundTripName } from './http-probe-functions.js';
import { inspectGoBinary } from './inspect.js';
import { processError } from './proc-exe.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';
import { craftElf } from './test-support/craft-elf.js';

const native = loadFixtures().fixtures.find(
  (f) => f.variant === 'default' && f.goarch === 'amd64' && process.arch === 'x64' && f.go === '1.24',
);
const scratch = mkdtemp(join(tmpdir(), 'go-elf-pid-'));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

/** Starts a copy of the fixture client in -wait mode, then deletes the copy while it runs. */
async function runDeletedCopy(path: string) {
  const copy = join(await scratch, 'client-deleted');
  await copyFile(path, copy);
  const child = spawn(copy, ['-wait'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [ready] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(JSON.parse(ready.toString().split('\n')[0]!)).toMatchObject({ kind: 'ready', pid: child.pid });
  await unlink(copy);
  return child;
}

describe('opening a running process', () => {
  it('reads a running Go program whose executable was deleted, via /proc/<pid>/exe', async (ctx) => {
    if (!native) {
      if (inCi) throw new Error('the go1.24 default amd64 fixture is missing');
      ctx.skip('needs the go1.24 default amd64 fixture on an x86-64 host (bash test-fixtures/build.sh)');
      return;
    }
    const child = await runDeletedCopy(native.absolutePath);
    try {
      await using running = await GoBinary.openPid(child.pid!);
      await using onDisk = await GoBinary.open(native.absolutePath);
      expect(running.path).toBe(`/proc/${child.pid}/exe`);
      expect(await running.findFunction(clientDoName)).toEqual(await onDisk.findFunction(clientDoName));
      expect((await running.buildInfo()).goVersion).toBe(native.goVersion);
      const inspection = await inspectGoBinary(child.pid!);
      expect(inspection).toMatchObject({
        goVersion: native.goVersion,
        arch: 'amd64',
        buildMode: 'exe',
        cgo: true,
        stripped: false,
      });
      expect(inspection.clientDo?.probeAddress).toBe(
        (await onDisk.stackCheckEnd(await onDisk.findFunction(clientDoName))).address,
      );
      expect(inspection.transportRoundTrip?.probeAddress).toBe(
        (await onDisk.stackCheckEnd(await onDisk.findFunction(transportRoundTripName))).address,
      );
      expect(inspection.coverage).toBe('client and transport');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reports a pid with no process as NO_SUCH_PROCESS', async () => {
    const error = await GoBinary.openPid(2 ** 31 - 2).catch((e: unknown) => e);
    expect(GoElfError.isInstance(error) && error.code).toBe('NO_SUCH_PROCESS');
  });

  it('reports a non-positive pid as NO_SUCH_PROCESS', async () => {
    const error = await GoBinary.openPid(-1).catch((e: unknown) => e);
    expect(GoElfError.isInstance(error) && error.code).toBe('NO_SUCH_PROCESS');
  });

  it.each(['EACCES', 'EPERM'])('maps %s on /proc/<pid>/exe to PERMISSION_DENIED', (code) => {
    const denied = new GoElfError('IO_ERROR', '/proc/1/exe', 'denied', Object.assign(new Error('denied'), { code }));
    const mapped = processError(1, denied);
    expect(GoElfError.isInstance(mapped) && mapped.code).toBe('PERMISSION_DENIED');
  });
});

describe('closing', () => {
  async function craftedFile(): Promise<string> {
    const path = join(await scratch, 'crafted.elf');
    await writeFile(path, craftElf({ machine: 183 }));
    return path;
  }

  it('closes idempotently and through await using', async () => {
    const path = await craftedFile();
    const binary = await GoBinary.open(path);
    await binary.close();
    await binary.close();
    {
      await using disposable = await GoBinary.open(path);
      expect(disposable.arch).toBe('arm64');
    }
  });

  it('refuses reads after close with IO_ERROR', async () => {
    const binary = await GoBinary.open(await craftedFile());
    await binary.close();
    const error = await binary.readVirtual(0x400000, 16).catch((e: unknown) => e);
    expect(GoElfError.isInstance(error) && error.code).toBe('IO_ERROR');
  });
});
