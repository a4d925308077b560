import { describe, expect, it } from 'vitest';
import { analyzeArm64Prologue } from './arm64-prologue.js';

const entry = 0x10000;

function code(words: number[]): Buffer {
  const b = Buffer.alloc(words.length * 4);
  for (const [i, w] of words.entries()) b.writeUInt32LE(w >>> 0, i * 4);
  return b;
}

const ldrX16 = 0xf9400b90; // ldr x16, [x28, #16]
const ldrX1 = 0xf9400b81; // ldr x1, [x28, #16]
const cmpSpX16 = 0xeb3063ff; // cmp sp, x16
const subX17 = 0xd10603f1; // sub x17, sp, #0x180
const cmpX17X16 = 0xeb10023f; // cmp x17, x16
const movX2Sp = 0x910003e2; // mov x2, sp
const cmpX2X1 = 0xeb01005f; // cmp x2, x1
const movX3X30 = 0xaa1e03e3; // mov x3, x30
const strX0 = 0xf90007e0; // str x0, [sp, #8]
const bl = 0x94000000;
const nop = 0xd503201f;
const bls = (from: number, to: number) => 0x54000009 | ((((to - from) / 4) & 0x7ffff) << 5);
const blo = (from: number, to: number) => 0x54000003 | ((((to - from) / 4) & 0x7ffff) << 5);
const b = (from: number, to: number) => 0x14000000 | (((to - from) / 4) & 0x3ffffff);

/** Prologue words, nops up to word 16, then mov x3,x30; spill; bl; b entry. */
function fn(prologue: number[], backTo = 0): Buffer {
  const words = [...prologue];
  while (words.length < 16) words.push(nop);
  words.push(movX3X30, strX0, bl, b(19 * 4, backTo));
  return code(words);
}

describe('analyzeArm64Prologue', () => {
  it('ends a Go 1.18+ medium-frame check (ldr x16; sub x17,sp; cmp x17,x16; b.ls) after the b.ls', () => {
    expect(analyzeArm64Prologue(fn([ldrX16, subX17, cmpX17X16, bls(12, 64)]), entry, true)).toEqual({
      checkEndOffset: 16,
      morestackOffset: 64,
    });
  });

  it('ends a small-frame check (ldr x16; cmp sp,x16; b.ls) after the b.ls', () => {
    expect(analyzeArm64Prologue(fn([ldrX16, cmpSpX16, bls(8, 64)]), entry, true)).toEqual({
      checkEndOffset: 12,
      morestackOffset: 64,
    });
  });

  it('ends a huge-frame check (subs x17,sp; b.lo; cmp; b.ls) when both branches agree', () => {
    const subs = 0xf14603f1; // subs x17, sp, #0x180, lsl #12
    expect(analyzeArm64Prologue(fn([ldrX16, subs, blo(8, 64), cmpX17X16, bls(16, 64)]), entry, true)).toEqual({
      checkEndOffset: 20,
      morestackOffset: 64,
    });
  });

  it('accepts the Go ≤1.17 form using x1/x2 (mov x2,sp; cmp x2,x1) only under the stack ABI', () => {
    const words = fn([ldrX1, movX2Sp, cmpX2X1, bls(12, 64)]);
    expect(analyzeArm64Prologue(words, entry, false)).toEqual({ checkEndOffset: 16, morestackOffset: 64 });
    expect(analyzeArm64Prologue(words, entry, true)).toHaveProperty('unrecognised');
  });

  it('rejects a function that does not load g.stackguard0 first', () => {
    expect(analyzeArm64Prologue(fn([nop, cmpSpX16, bls(8, 64)]), entry, true)).toHaveProperty('unrecognised');
  });

  it('rejects a cmp of registers other than the ones the prologue set up', () => {
    expect(analyzeArm64Prologue(fn([ldrX16, subX17, cmpX2X1, bls(12, 64)]), entry, true)).toHaveProperty(
      'unrecognised',
    );
  });

  it('rejects a b.ls target past the end of the function', () => {
    expect(analyzeArm64Prologue(code([ldrX16, cmpSpX16, bls(8, 4096)]), entry, true)).toHaveProperty('unrecognised');
  });

  it('rejects a morestack block that branches somewhere other than the entry', () => {
    expect(analyzeArm64Prologue(fn([ldrX16, cmpSpX16, bls(8, 64)], 8), entry, true)).toHaveProperty('unrecognised');
  });

  it('rejects a morestack block without bl', () => {
    const words = [ldrX16, cmpSpX16, bls(8, 16), nop, b(16, 0)];
    expect(analyzeArm64Prologue(code(words), entry, true)).toHaveProperty('unrecognised');
  });
});

describe('analyzeArm64Prologue morestack spills in large frames', () => {
  const addX27 = 0x911023fb; // add x27, sp, #0x408 (REGTMP addresses a slot beyond stp's reach)
  const stpX0X1 = 0xa9000760; // stp x0, x1, [x27]
  const spilling = (address: number) =>
    code([ldrX16, cmpSpX16, bls(8, 16), nop, address, stpX0X1, movX3X30, bl, b(32, 0)]);

  it('accepts add x27,sp,#N before a spill (Go 1.27, crypto/internal/fips140/mldsa.sampleInBall)', () => {
    expect(analyzeArm64Prologue(spilling(addX27), entry, true)).toEqual({ checkEndOffset: 12, morestackOffset: 16 });
  });

  it('rejects the same add into a register other than x27', () => {
    expect(analyzeArm64Prologue(spilling(0x911023f4), entry, true)).toHaveProperty('unrecognised'); // add x20, sp, #0x408
  });
});
