import { describe, expect, it } from 'vitest';
import { LifecycleKind, lifecycleLayout as L, LifecycleFlag } from './bpf-abi.js';
import { kernelDev } from '../binary-identity.js';
import { decodeLifecycle, isLifecycleRecord } from './encode-lifecycle.js';
import { exitStatusOf } from '../exit-status.js';

describe('kernelDev', () => {
  it('turns stat(2) st_dev into the kernel encoding (major << 20 | minor)', () => {
    expect(kernelDev(0xfe00n)).toBe((254n << 20n) | 0n); // 254:0, as stat and the exec record showed on /dev/vda
    expect(kernelDev(0x0803n)).toBe((8n << 20n) | 3n); // 8:3
    expect(kernelDev(0x12310345n)).toBe(0x10312345n); // 259:0x12345 (minor above 8 bits)
  });
});

describe('exitStatusOf', () => {
  it('decodes an exit code', () => expect(exitStatusOf(3 << 8)).toEqual({ code: 3, signal: null }));
  it('decodes a signal, with or without a core dump', () => {
    expect(exitStatusOf(9)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitStatusOf(0x80 | 11)).toEqual({ code: null, signal: 'SIGSEGV' });
  });
});

describe('decodeLifecycle', () => {
  it('reads every field of an exec record', () => {
    const r = Buffer.alloc(L.size);
    r.writeBigUInt64LE(123n, L.ktimeNs);
    r.writeBigUInt64LE(0xfe00000n, L.dev);
    r.writeBigUInt64LE(77n, L.ino);
    r.writeUInt32LE(1000, L.tgid);
    r.writeUInt32LE(999, L.ppid);
    r.writeUInt32LE(1, L.nsTgid);
    r.writeUInt32LE(5, L.binaryId);
    r.writeUInt8(LifecycleFlag.traced | LifecycleFlag.held, L.flags);
    r.writeUInt8(LifecycleKind.exec, L.kind);
    r.writeBigUInt64LE(4242n, L.startTicks);
    r.writeBigInt64LE(1_700_000_000n, L.mtimeSec);
    r.writeUInt32LE(5, L.mtimeNsec);
    expect(isLifecycleRecord(r)).toBe(true);
    expect(decodeLifecycle(r)).toEqual({
      kind: 'exec',
      pid: 1000,
      ppid: 999,
      nsPid: 1,
      waitStatus: 0,
      binaryId: 5,
      startTicks: 4242n,
      traced: true,
      held: true,
      targetsFull: false,
      replaced: false,
      binary: { dev: 0xfe00000n, ino: 77n, mtimeSec: 1_700_000_000n, mtimeNsec: 5 },
      monotonicNs: 123n,
    });
  });
  it('refuses a short record', () => {
    expect(() => decodeLifecycle(Buffer.alloc(L.size - 1))).toThrow(RangeError);
  });
});
