import { describe, expect, it } from 'vitest';
import { analyzeAmd64Prologue } from './amd64-prologue.js';

const entry = 0x401000;
const h = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const rel32 = (from: number, to: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(to - from);
  return b.toString('hex');
};

/** A function body: prologue, filler up to `morestackAt`, then the morestack block. */
function body(prologue: string, morestackAt: number, block: string): Buffer {
  const code = Buffer.alloc(morestackAt + h(block).length, 0xcc);
  h(prologue).copy(code, 0);
  h(block).copy(code, morestackAt);
  return code;
}

/** Register-ABI morestack block: spill RAX, call morestack_noctxt, reload, jmp back to offset 0. */
function registerAbiBlock(at: number): string {
  return `48894424 08 e8 00000000 488b4424 08 e9 ${rel32(at + 20, 0)}`;
}

describe('analyzeAmd64Prologue', () => {
  it('ends a Go 1.17+ medium-frame check (lea r12; cmp r12,[r14+16]; jbe rel32) after the jbe', () => {
    const code = body(`4c8da424 98feffff 4d3b6610 0f86 ${rel32(18, 0x100)}`, 0x100, registerAbiBlock(0x100));
    expect(analyzeAmd64Prologue(code, entry)).toEqual({ checkEndOffset: 18, morestackOffset: 0x100 });
  });

  it('ends a Go 1.17+ small-frame check (cmp rsp,[r14+16]; jbe rel8) after the jbe', () => {
    const code = body(`493b6610 76 ${(0x40 - 6).toString(16)}`, 0x40, registerAbiBlock(0x40));
    expect(analyzeAmd64Prologue(code, entry)).toEqual({ checkEndOffset: 6, morestackOffset: 0x40 });
  });

  it('ends a Go 1.17+ huge-frame check (mov r12,rsp; sub; jb; cmp; jbe) after the jbe when both branches agree', () => {
    const prologue = `4989e4 4981eca81f0000 0f82 ${rel32(16, 0x80)} 4d3b6610 0f86 ${rel32(26, 0x80)}`;
    expect(analyzeAmd64Prologue(body(prologue, 0x80, registerAbiBlock(0x80)), entry)).toEqual({
      checkEndOffset: 26,
      morestackOffset: 0x80,
    });
  });

  it('rejects a huge-frame check whose underflow branch goes elsewhere', () => {
    const prologue = `4989e4 4981eca81f0000 0f82 ${rel32(16, 0x70)} 4d3b6610 0f86 ${rel32(26, 0x80)}`;
    expect(analyzeAmd64Prologue(body(prologue, 0x80, registerAbiBlock(0x80)), entry)).toHaveProperty('unrecognised');
  });

  it('ends a Go ≤1.16 check with g from fs:[-8] (mov rcx,fs:[-8]; lea rax; cmp rax,[rcx+16]; jbe) and gives the TLS offset', () => {
    const prologue = `64488b0c25f8ffffff 488d8424b0feffff 483b4110 0f86 ${rel32(27, 0x90)}`;
    expect(analyzeAmd64Prologue(body(prologue, 0x90, `e8 00000000 e9 ${rel32(0x9a, 0)}`), entry)).toEqual({
      checkEndOffset: 27,
      morestackOffset: 0x90,
      gTlsOffset: -8,
    });
  });

  it('ends a Go ≤1.16 PIE check with g from fs:[rcx] (mov rcx,-8; mov rcx,fs:[rcx]; cmp rsp,[rcx+16]; jbe) and gives the TLS offset', () => {
    const prologue = `48c7c1f8ffffff 64488b09 483b6110 76 ${(0x60 - 17).toString(16)}`;
    expect(analyzeAmd64Prologue(body(prologue, 0x60, `e8 00000000 eb ${(256 - 0x67).toString(16)}`), entry)).toEqual({
      checkEndOffset: 17,
      morestackOffset: 0x60,
      gTlsOffset: -8,
    });
  });

  it('gives no TLS offset when it comes from the GOT (mov rcx,[rip+x]; mov rcx,fs:[rcx]): known only at run time', () => {
    const prologue = `488b0d00010000 64488b09 483b6110 76 ${(0x60 - 17).toString(16)}`;
    expect(analyzeAmd64Prologue(body(prologue, 0x60, `e8 00000000 eb ${(256 - 0x67).toString(16)}`), entry)).toEqual({
      checkEndOffset: 17,
      morestackOffset: 0x60,
    });
  });

  it('rejects a register-ABI check that clobbers RAX (an argument register)', () => {
    const code = body(`488d8424 98feffff 483b4610 0f86 ${rel32(18, 0x100)}`, 0x100, registerAbiBlock(0x100));
    expect(analyzeAmd64Prologue(code, entry)).toHaveProperty('unrecognised');
  });

  it('rejects a function without a stack check (NOSPLIT: push rbp)', () => {
    expect(analyzeAmd64Prologue(h('55 4889e5 4883ec10 c3'), entry)).toHaveProperty('unrecognised');
  });

  it('rejects a jbe whose target lies outside the function', () => {
    expect(analyzeAmd64Prologue(h(`493b6610 0f86 ${rel32(10, 0x1000)} c3`), entry)).toHaveProperty('unrecognised');
  });

  it('rejects a morestack block that jumps somewhere other than the entry', () => {
    const block = `e8 00000000 e9 ${rel32(0x4a, 0x20)}`;
    expect(analyzeAmd64Prologue(body(`493b6610 76 ${(0x40 - 6).toString(16)}`, 0x40, block), entry)).toHaveProperty(
      'unrecognised',
    );
  });

  it('rejects a morestack block without a call', () => {
    expect(
      analyzeAmd64Prologue(body(`493b6610 76 ${(0x40 - 6).toString(16)}`, 0x40, `e9 ${rel32(0x45, 0)}`), entry),
    ).toHaveProperty('unrecognised');
  });

  it('rejects a morestack block that never jumps back within the window', () => {
    const block = '48894424 08 '.repeat(60);
    expect(analyzeAmd64Prologue(body(`493b6610 76 ${(0x40 - 6).toString(16)}`, 0x40, block), entry)).toHaveProperty(
      'unrecognised',
    );
  });

  it('does not read past a truncated prologue', () => {
    expect(analyzeAmd64Prologue(h('4c8da424 98'), entry)).toHaveProperty('unrecognised');
    expect(analyzeAmd64Prologue(Buffer.alloc(0), entry)).toHaveProperty('unrecognised');
  });
});
