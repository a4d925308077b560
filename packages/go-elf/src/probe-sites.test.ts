import { describe, expect, it } from 'vitest';
import { unprovenProbeOffsets } from './probe-sites.js';

describe('unprovenProbeOffsets', () => {
  // mov %rsp,%rbp (48 89 e5); nop (90); ret (c3)
  const amd64 = Buffer.from('4889e590c3', 'hex');

  it('accepts amd64 offsets that are decoded instruction starts', () => {
    expect(unprovenProbeOffsets('amd64', amd64, 0x401000, [0, 3, 4])).toEqual([]);
  });

  it('refuses amd64 offsets inside an instruction or past the function', () => {
    expect(unprovenProbeOffsets('amd64', amd64, 0x401000, [1, 2, 5, -1])).toEqual([1, 2, 5, -1]);
  });

  it('refuses every offset when the amd64 code does not decode', () => {
    expect(unprovenProbeOffsets('amd64', Buffer.from('0f04', 'hex'), 0x401000, [0])).toEqual([0]);
  });

  // ldr x0, #+8 (58000040); ret (d65f03c0); an 8-byte literal at +8 that encodes a ret and a nop
  const arm64 = Buffer.alloc(16);
  arm64.writeUInt32LE(0x58000040, 0);
  arm64.writeUInt32LE(0xd65f03c0, 4);
  arm64.writeUInt32LE(0xd65f03c0, 8);
  arm64.writeUInt32LE(0xd503201f, 12);

  it('accepts aligned arm64 offsets that no literal load reads', () => {
    expect(unprovenProbeOffsets('arm64', arm64, 0x10000, [0, 4])).toEqual([]);
  });

  it('refuses arm64 offsets in a literal pool, unaligned or outside the function', () => {
    expect(unprovenProbeOffsets('arm64', arm64, 0x10000, [8, 12, 2, 16])).toEqual([8, 12, 2, 16]);
  });
});
