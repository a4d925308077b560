import { decodeModrm } from './amd64-instruction.js';

/** What a linear sweep needs from one x86-64 instruction. */
export interface Amd64Span {
  length: number;
  /** `ret` (C3) or `ret imm16` (C2). */
  isReturn: boolean;
  /** Target of a direct jmp/jcc, to see whether control leaves the function other than by ret. */
  jumpTarget?: number;
}

/**
 * Operand shapes in 64-bit mode (Intel SDM vol. 2, appendix A):
 * x invalid here, p prefix, 1 no operand, m ModRM, mb ModRM+imm8, mz ModRM+imm16/32, b imm8, w imm16,
 * z imm16/32 (call rel32 too: a call returns, so it is no jump), j rel8, J rel32, and the special cases handled by name below.
 */
type Shape = 'x' | 'p' | '1' | 'm' | 'mb' | 'mz' | 'b' | 'w' | 'z' | 'j' | 'J';

const oneByteMap: Shape[] = buildOneByteMap();
const twoByteMap: Shape[] = buildTwoByteMap();

function buildOneByteMap(): Shape[] {
  const map = new Array<Shape>(256).fill('1');
  for (let row = 0; row < 4; row++) {
    for (const half of [0, 8]) {
      const base = row * 16 + half;
      map.fill('m', base, base + 4);
      map[base + 4] = 'b';
      map[base + 5] = 'z';
      map[base + 6] = 'x';
      map[base + 7] = 'x';
    }
  }
  for (const segment of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) map[segment] = 'p';
  map.fill('p', 0x40, 0x50); // REX
  for (const invalid of [0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea]) map[invalid] = 'x';
  Object.assign(map, { 0x63: 'm', 0x68: 'z', 0x69: 'mz', 0x6a: 'b', 0x6b: 'mb' });
  map.fill('j', 0x70, 0x80);
  Object.assign(map, { 0x80: 'mb', 0x81: 'mz', 0x83: 'mb' });
  map.fill('m', 0x84, 0x90);
  Object.assign(map, { 0xa8: 'b', 0xa9: 'z' });
  map.fill('b', 0xb0, 0xb8);
  Object.assign(map, { 0xc0: 'mb', 0xc1: 'mb', 0xc2: 'w', 0xc6: 'mb', 0xc7: 'mz', 0xca: 'w', 0xcd: 'b' });
  map.fill('m', 0xd0, 0xd4);
  map.fill('m', 0xd8, 0xe0); // x87
  map.fill('j', 0xe0, 0xe4); // loop*, jrcxz
  map.fill('b', 0xe4, 0xe8); // in/out imm8
  Object.assign(map, { 0xe8: 'z', 0xe9: 'J', 0xeb: 'j', 0xfe: 'm', 0xff: 'm' });
  return map;
}

function buildTwoByteMap(): Shape[] {
  const map = new Array<Shape>(256).fill('m');
  for (const none of [
    0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77, 0xa0, 0xa1, 0xa2, 0xa8,
    0xa9, 0xaa,
  ])
    map[none] = '1';
  // 20-23 (mov to/from control and debug registers) ignore mod, so a ModRM length would be a guess.
  for (const invalid of [
    0x04, 0x0a, 0x0c, 0x0f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x7a, 0x7b,
  ])
    map[invalid] = 'x';
  for (const withImmediate of [0x70, 0x71, 0x72, 0x73, 0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6])
    map[withImmediate] = 'mb';
  map.fill('J', 0x80, 0x90);
  map.fill('1', 0xc8, 0xd0); // bswap
  return map;
}

/** Opcodes of map 0F that take an imm8 under VEX/EVEX as well (the rest of that map takes none). */
const vexTwoByteImmediate = new Set([0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6]);

/**
 * Length of the x86-64 instruction at `at`, or undefined when the bytes are not a valid 64-bit-mode
 * instruction this decoder knows (it never guesses). `address` is the instruction's virtual address.
 */
export function decodeAmd64Span(code: Buffer, at: number, address: number): Amd64Span | undefined {
  const start = at;
  let operandSize16 = false;
  let addressSize32 = false;
  let rex = 0;
  for (;;) {
    const byte = code[at];
    if (byte === undefined || at - start >= 15) return undefined;
    if (oneByteMap[byte] !== 'p') break;
    // A REX prefix counts only when it comes last; one followed by a legacy prefix is ignored.
    rex = (byte & 0xf0) === 0x40 ? byte : 0;
    if (byte === 0x66) operandSize16 = true;
    if (byte === 0x67) addressSize32 = true;
    at++;
  }
  const opcode = code[at++]!;
  const immz = operandSize16 && !(rex & 8) ? 2 : 4;
  const done = (end: number, extra: Partial<Amd64Span> = {}): Amd64Span | undefined =>
    end <= code.length && end - start <= 15 ? { length: end - start, isReturn: false, ...extra } : undefined;
  const relative = (from: number, size: 1 | 4): Amd64Span | undefined => {
    if (from + size > code.length) return undefined;
    const offset = size === 1 ? code.readInt8(from) : code.readInt32LE(from);
    return done(from + size, { jumpTarget: address + (from + size - start) + offset });
  };
  const withModrm = (immediateBytes: number): Amd64Span | undefined => {
    const modrm = decodeModrm(code, at, rex, false);
    return modrm && done(modrm.next + immediateBytes);
  };

  if (opcode === 0x0f) return decodeTwoByteMap(code, at, rex, done, relative);
  if (opcode === 0xc4 || opcode === 0xc5 || opcode === 0x62) {
    if (rex !== 0 || operandSize16) return undefined; // #UD: VEX/EVEX after REX or 66
    return decodeVex(code, at, opcode, done);
  }
  if (opcode === 0xc3 || opcode === 0xc2) return done(at + (opcode === 0xc2 ? 2 : 0), { isReturn: true });
  if (opcode >= 0xa0 && opcode <= 0xa3) return done(at + (addressSize32 ? 4 : 8)); // mov with moffs
  if (opcode >= 0xb8 && opcode <= 0xbf) return done(at + (rex & 8 ? 8 : immz)); // mov r, imm (movabs with REX.W)
  if (opcode === 0xc8) return done(at + 3); // enter imm16, imm8
  if (opcode === 0xf6 || opcode === 0xf7) {
    // Group 3: test r/m, imm takes an immediate (reg field 0 or 1); not/neg/mul/div do not.
    const reg = ((code[at] ?? 0) >> 3) & 7;
    return withModrm(reg > 1 ? 0 : opcode === 0xf6 ? 1 : immz);
  }
  if (opcode === 0x8f && ((code[at] ?? 0) >> 3) & 7) return undefined; // AMD XOP, never in Go code
  switch (oneByteMap[opcode]) {
    case '1':
      return done(at);
    case 'm':
      return withModrm(0);
    case 'mb':
      return withModrm(1);
    case 'mz':
      return withModrm(immz);
    case 'b':
      return done(at + 1);
    case 'w':
      return done(at + 2);
    case 'z':
      return done(at + immz);
    case 'j':
      return relative(at, 1);
    case 'J':
      return relative(at, 4);
    default:
      return undefined;
  }
}

type Done = (end: number, extra?: Partial<Amd64Span>) => Amd64Span | undefined;

function decodeTwoByteMap(
  code: Buffer,
  at: number,
  rex: number,
  done: Done,
  relative: (from: number, size: 1 | 4) => Amd64Span | undefined,
): Amd64Span | undefined {
  const opcode = code[at++];
  if (opcode === undefined) return undefined;
  if (opcode === 0x38 || opcode === 0x3a) {
    // Three-byte maps: every instruction has a ModRM; all of 0F3A take an imm8.
    const modrm = decodeModrm(code, at + 1, rex, false);
    return modrm && done(modrm.next + (opcode === 0x3a ? 1 : 0));
  }
  const shape = twoByteMap[opcode];
  if (shape === '1') return done(at);
  if (shape === 'J') return relative(at, 4);
  if (shape === 'x') return undefined;
  const modrm = decodeModrm(code, at, rex, false);
  return modrm && done(modrm.next + (shape === 'mb' ? 1 : 0));
}

/** Payload bytes after each VEX/EVEX prefix byte: C5 (2-byte VEX), C4 (3-byte VEX), 62 (EVEX). */
const vexPayloadBytes: Readonly<Record<number, number>> = { 0xc5: 1, 0xc4: 2, 0x62: 3 };

/**
 * VEX (C5: 1 payload byte, map 0F; C4: 2 bytes, map from mmmmm) and EVEX (62: 3 bytes, map from mmm).
 * Every VEX/EVEX instruction has a ModRM except vzeroupper/vzeroall (VEX 0F 77). EVEX's compressed disp8
 * scales the displacement's value, not its size.
 */
function decodeVex(code: Buffer, at: number, prefix: number, done: Done): Amd64Span | undefined {
  const payload = vexPayloadBytes[prefix];
  if (payload === undefined) return undefined;
  const first = code[at];
  if (first === undefined || at + payload >= code.length) return undefined;
  let map: number;
  if (prefix === 0xc5) map = 1;
  else if (prefix === 0xc4) map = first & 0x1f;
  else {
    if (first & 0x08 || !((code[at + 1] ?? 0) & 0x04)) return undefined; // EVEX reserved bits
    map = first & 0x07;
  }
  at += payload;
  const opcode = code[at++]!;
  if (map === 1 && opcode === 0x77 && prefix !== 0x62) return done(at);
  if (![1, 2, 3, ...(prefix === 0x62 ? [5, 6] : [])].includes(map)) return undefined;
  // With VEX/EVEX, R̄/X̄/B̄ live in the payload; ModRM/SIB/displacement sizes do not depend on them.
  const modrm = decodeModrm(code, at, 0, false);
  if (!modrm) return undefined;
  const immediate = map === 3 || (map === 1 && vexTwoByteImmediate.has(opcode)) ? 1 : 0;
  return done(modrm.next + immediate);
}
