import { describe, expect, it } from 'vitest';
import { decodeAmd64Span } from './amd64-length.js';

const h = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const lengthOf = (hex: string) => decodeAmd64Span(h(hex), 0, 0x1000)?.length;

describe('decodeAmd64Span', () => {
  it.each([
    ['c3', 1, 'ret'],
    ['c2 1000', 3, 'ret 16'],
    ['cc', 1, 'int3 padding'],
    ['48 b8 0102030405060708', 10, 'movabs rax, imm64 (REX.W)'],
    ['b8 01020304', 5, 'mov eax, imm32'],
    ['66 b8 0102', 4, 'mov ax, imm16 (66 shrinks immz)'],
    ['66 48 c7 c0 01020304', 8, 'REX.W beats 66 for immz'],
    ['66 c7 00 0102', 5, 'mov word [rax], imm16'],
    ['f6 c1 01', 3, 'test cl, imm8 (group 3 /0)'],
    ['f7 d8', 2, 'neg eax (group 3 /3: no immediate)'],
    ['48 f7 44 24 08 01000000', 9, 'test qword [rsp+8], imm32'],
    ['4c 8d a4 24 98feffff', 8, 'lea r12, [rsp-0x168] (SIB, disp32)'],
    ['48 8b 05 00000000', 7, 'mov rax, [rip+0] (RIP-relative)'],
    ['8b 04 25 00000000', 7, 'mov eax, [disp32] (SIB without base)'],
    ['64 48 8b 0c 25 f8ffffff', 9, 'mov rcx, fs:[-8]'],
    ['a1 0102030405060708', 9, 'mov eax, moffs64'],
    ['67 a1 01020304', 6, 'mov eax, moffs32 (67)'],
    ['c8 1000 00', 4, 'enter 16, 0'],
    ['0f 1f 44 00 00', 5, 'nopl [rax+rax]'],
    ['66 0f 1f 84 00 00000000', 9, 'nopw with disp32'],
    ['0f b6 4c 24 10', 5, 'movzx ecx, byte [rsp+16]'],
    ['0f ba e0 03', 4, 'bt eax, 3 (imm8)'],
    ['66 0f 70 c0 1b', 5, 'pshufd (0F 70 has imm8)'],
    ['66 0f 38 00 c1', 5, 'pshufb (0F38: ModRM, no immediate)'],
    ['66 0f 3a 0f c1 08', 6, 'palignr (0F3A: ModRM + imm8)'],
    ['0f a2', 2, 'cpuid'],
    ['c5 fe 6f 06', 4, 'vmovdqu ymm0, [rsi] (2-byte VEX)'],
    ['c5 f8 77', 3, 'vzeroupper (no ModRM)'],
    ['c4 e3 7d 39 c1 01', 6, 'vextracti128 (VEX map 0F3A: imm8)'],
    ['c4 e2 7d 58 c0', 5, 'vpbroadcastd (VEX map 0F38)'],
    ['c5 fd 73 d8 08', 5, 'vpsrldq (VEX map 0F, opcode 73: imm8)'],
    ['62 f1 7e 48 6f 46 01', 7, 'vmovdqu32 zmm0, [rsi+64] (EVEX, compressed disp8)'],
    ['62 f3 7d 48 3e c1 00', 7, 'vpcmpub (EVEX map 0F3A: imm8)'],
    ['f0 48 0f b1 0e', 5, 'lock cmpxchg'],
    ['f3 48 ab', 3, 'rep stosq'],
    ['87 c0', 2, 'xchg eax, eax'],
  ])('%s is %i bytes (%s)', (hex, length) => {
    expect(lengthOf(hex)).toBe(length);
  });

  it('marks only ret and ret imm16 as returns', () => {
    expect(decodeAmd64Span(h('c3'), 0, 0)?.isReturn).toBe(true);
    expect(decodeAmd64Span(h('c2 0800'), 0, 0)?.isReturn).toBe(true);
    expect(decodeAmd64Span(h('cb'), 0, 0)?.isReturn).toBe(false); // far ret is not what Go emits
    expect(decodeAmd64Span(h('ff e0'), 0, 0)?.isReturn).toBe(false);
  });

  it('gives the targets of rel8 and rel32 jumps but not of calls', () => {
    expect(decodeAmd64Span(h('eb fe'), 0, 0x1000)?.jumpTarget).toBe(0x1000);
    expect(decodeAmd64Span(h('0f 86 10000000'), 0, 0x1000)?.jumpTarget).toBe(0x1016);
    expect(decodeAmd64Span(h('e9 00f0ffff'), 0, 0x2000)?.jumpTarget).toBe(0x1005);
    expect(decodeAmd64Span(h('e8 00000000'), 0, 0x1000)).toEqual({ length: 5, isReturn: false });
  });

  it.each([
    ['06', 'push es (invalid in 64-bit mode)'],
    ['0f 0b'.slice(0, 2), 'a truncated two-byte opcode'],
    ['48 8b 44 24', 'a displacement cut off by the end of the code'],
    ['0f 22 d8', 'mov cr3, rax (ModRM length ambiguous)'],
    ['8f 48 00', 'an AMD XOP escape'],
    ['48 c5 f8 77', 'VEX after REX'],
    ['66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90', 'more than 15 bytes'],
  ])('refuses %s (%s)', (hex) => {
    expect(lengthOf(hex)).toBeUndefined();
  });
});
