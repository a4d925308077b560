import { describe, expect, it } from 'vitest';
import { sweepAmd64, sweepArm64 } from './return-sites.js';

const h = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const words = (...insns: number[]) => Buffer.concat(insns.map((i) => Buffer.from(new Uint32Array([i]).buffer)));

describe('sweepAmd64', () => {
  it('splits a body and its int3 padding into instructions and lists every ret', () => {
    // test al,al; je +1; ret; xor eax,eax; ret; int3; int3
    expect(sweepAmd64(h('84c0 7401 c3 31c0 c3 cc cc'), 0x1000)).toEqual({
      instructionOffsets: [0, 2, 4, 5, 7, 8, 9],
      returnOffsets: [4, 7],
      jumpsOut: [],
      jumpsMisaligned: [],
    });
  });

  it('reports a jump whose target is inside the function but not an instruction start', () => {
    // je +2 lands in the middle of xor eax,eax (31 c0): the decode cannot be trusted there
    expect(sweepAmd64(h('7402 c3 31c0 c3'), 0x1000)).toMatchObject({ jumpsOut: [], jumpsMisaligned: [0] });
  });

  it('reports a direct jump out of the function (a tail call) but not a call', () => {
    expect(sweepAmd64(h('e8 00100000 e9 00100000'), 0x1000)).toMatchObject({ returnOffsets: [], jumpsOut: [5] });
  });

  it('refuses an instruction that crosses the end', () => {
    expect(sweepAmd64(h('c3 48 8b 05 0000'), 0x1000)).toHaveProperty('undecodable');
  });
});

describe('sweepArm64', () => {
  it('finds ret (x30) and ret x1, and no other instruction', () => {
    const sweep = sweepArm64(words(0xd65f03c0, 0xd503201f, 0xd65f0020, 0xd63f0020), 0x1000);
    expect(sweep).toEqual({
      instructionOffsets: [0, 4, 8, 12],
      returnOffsets: [0, 8],
      jumpsOut: [],
      jumpsMisaligned: [],
    });
  });

  it('reports b, b.cond, cbz and tbz that leave the function, and ignores bl', () => {
    const b = 0x14000000 | 0x100; // b +0x400
    const bcond = 0x54000000 | (0x100 << 5); // b.eq +0x400
    const cbz = 0xb4000000 | (0x7fffd << 5); // cbz x0, -12: before the entry
    const tbz = 0x36000000 | (1 << 5); // tbz w0, #0, +4
    const bl = 0x94000000 | 0x100;
    expect(sweepArm64(words(b, bcond, cbz, tbz, bl), 0x1000)).toMatchObject({ jumpsOut: [0, 4, 8] });
  });

  it('refuses code that is not whole 4-byte instructions', () => {
    expect(sweepArm64(h('c0035fd6 00'), 0x1000)).toHaveProperty('undecodable');
  });
});
