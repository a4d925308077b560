import { describe, expect, it } from 'vitest';
import { LifecycleKind, lifecycleLayout as L, LifecycleFlag } from './bpf-abi.js';
import { decodeLifecycle } from './decode-lifecycle.js';

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
      tracedProcsFull: false,
      replaced: false,
      binary: { dev: 0xfe00000n, ino: 77n, mtimeSec: 1_700_000_000n, mtimeNsec: 5 },
      monotonicNs: 123n,
    });
  });
  it('refuses a short record', () => {
    expect(() => decodeLifecycle(Buffer.alloc(L.size - 1))).toThrow(RangeError);
  });
});
