/** Just enough x86-64 decoding for Go prologues and morestack blocks: ModRM forms and a few fixed opcodes. */

export const RSP = 4;
export const R12 = 12;
export const R13 = 13;
export const R14 = 14;

export type Amd64Operand =
  | { kind: 'register'; register: number }
  | {
      kind: 'memory';
      base: number | 'rip' | undefined;
      index: number | undefined;
      displacement: number;
      fsSegment: boolean;
    };

export type Amd64Instruction =
  | {
      kind: 'modrm';
      opcode: number;
      twoByte: boolean;
      reg: number;
      rm: Amd64Operand;
      immediate?: number;
      length: number;
    }
  | { kind: 'jcc'; condition: number; target: number; length: number }
  | { kind: 'jmp'; target: number; length: number }
  | { kind: 'call'; target: number; length: number }
  | { kind: 'nop'; length: number };

// One-byte opcodes taking a ModRM byte, with the size of their immediate.
const modrmOpcodes = new Map<number, number>([
  [0x88, 0],
  [0x89, 0],
  [0x8a, 0],
  [0x8b, 0],
  [0x8d, 0],
  [0x3b, 0],
  [0x39, 0],
  [0xc7, 4],
  [0x81, 4],
  [0x83, 1],
]);
// Two-byte (0f xx) opcodes with ModRM used to spill/restore registers: movups/movsd/movss, movq, movzx/movsx, nop r/m.
const twoByteModrmOpcodes = new Set([0x10, 0x11, 0x1f, 0x6e, 0x7e, 0xb6, 0xb7, 0xbe, 0xbf, 0xd6]);

/** Decodes the instruction at `at` (address `address`), or undefined when it is not one of the known forms. */
export function decodeAmd64(code: Buffer, at: number, address: number): Amd64Instruction | undefined {
  const start = at;
  let fsSegment = false;
  while (at < code.length && [0x64, 0x66, 0xf2, 0xf3].includes(code[at]!)) {
    if (code[at] === 0x64) fsSegment = true;
    at++;
  }
  let rex = 0;
  if (at < code.length && (code[at]! & 0xf0) === 0x40) rex = code[at++]!;
  const opcode = code[at++];
  if (opcode === undefined) return undefined;
  const relative = (size: 1 | 4, base: number) => {
    if (base + size > code.length) return undefined;
    const offset = size === 1 ? code.readInt8(base) : code.readInt32LE(base);
    return { target: address + (base + size - start) + offset, length: base + size - start };
  };
  if (opcode === 0x90 && rex === 0) return { kind: 'nop', length: at - start };
  if (opcode >= 0x70 && opcode <= 0x7f) {
    const r = relative(1, at);
    return r && { kind: 'jcc', condition: opcode & 0xf, ...r };
  }
  if (opcode === 0xeb || opcode === 0xe9) {
    const r = relative(opcode === 0xeb ? 1 : 4, at);
    return r && { kind: 'jmp', ...r };
  }
  if (opcode === 0xe8) {
    const r = relative(4, at);
    return r && { kind: 'call', ...r };
  }
  let twoByte = false;
  let op = opcode;
  let immediateBytes: number | undefined;
  if (opcode === 0x0f) {
    const second = code[at++];
    if (second === undefined) return undefined;
    if (second >= 0x80 && second <= 0x8f) {
      const r = relative(4, at);
      return r && { kind: 'jcc', condition: second & 0xf, ...r };
    }
    if (!twoByteModrmOpcodes.has(second)) return undefined;
    twoByte = true;
    op = second;
    immediateBytes = 0;
  } else {
    immediateBytes = modrmOpcodes.get(opcode);
    if (immediateBytes === undefined) return undefined;
  }
  const decoded = decodeModrm(code, at, rex, fsSegment);
  if (!decoded) return undefined;
  at = decoded.next;
  let immediate: number | undefined;
  if (immediateBytes > 0) {
    if (at + immediateBytes > code.length) return undefined;
    immediate = immediateBytes === 1 ? code.readInt8(at) : code.readInt32LE(at);
    at += immediateBytes;
  }
  return {
    kind: 'modrm',
    opcode: op,
    twoByte,
    reg: decoded.reg,
    rm: decoded.rm,
    ...(immediate !== undefined ? { immediate } : {}),
    length: at - start,
  };
}

/** Decodes a ModRM byte at `at` and its SIB byte and displacement; `next` is the offset after them. */
export function decodeModrm(
  code: Buffer,
  at: number,
  rex: number,
  fsSegment: boolean,
): { reg: number; rm: Amd64Operand; next: number } | undefined {
  const modrm = code[at++];
  if (modrm === undefined) return undefined;
  const mod = modrm >> 6;
  const reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
  const rmBits = modrm & 7;
  if (mod === 3) return { reg, rm: { kind: 'register', register: rmBits | (rex & 1 ? 8 : 0) }, next: at };
  let base: number | 'rip' | undefined = rmBits | (rex & 1 ? 8 : 0);
  let index: number | undefined;
  let displacementBytes = mod === 1 ? 1 : mod === 2 ? 4 : 0;
  if (rmBits === 4) {
    const sib = code[at++];
    if (sib === undefined) return undefined;
    const indexBits = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
    index = indexBits === 4 ? undefined : indexBits;
    const baseBits = sib & 7;
    base = baseBits | (rex & 1 ? 8 : 0);
    if (baseBits === 5 && mod === 0) {
      base = undefined;
      displacementBytes = 4;
    }
  } else if (rmBits === 5 && mod === 0) {
    base = 'rip';
    displacementBytes = 4;
  }
  if (at + displacementBytes > code.length) return undefined;
  const displacement = displacementBytes === 1 ? code.readInt8(at) : displacementBytes === 4 ? code.readInt32LE(at) : 0;
  return { reg, rm: { kind: 'memory', base, index, displacement, fsSegment }, next: at + displacementBytes };
}
