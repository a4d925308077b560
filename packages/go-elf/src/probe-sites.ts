import type { GoArch } from './elf-header.js';
import { sweepAmd64, sweepArm64 } from './return-sites.js';

/**
 * LDR (literal) and PRFM (literal), C4.1.66: opc x 011 V 00 imm19 Rt. Go's arm64 assembler puts the
 * constants they load in a literal pool inside the function's range (after an unconditional branch or
 * at its end), so those words are data, not instructions.
 */
function literalLoad(insn: number): { offset: number; bytes: number } | undefined {
  if ((insn & 0x3b000000) >>> 0 !== 0x18000000) return undefined;
  const imm19 = (insn >>> 5) & 0x7ffff;
  const offset = (imm19 & 0x40000 ? imm19 - 0x80000 : imm19) * 4;
  const opc = insn >>> 30;
  const simd = (insn & 0x04000000) !== 0;
  if (simd) return { offset, bytes: 4 << opc }; // S, D or Q register: 4, 8 or 16 bytes
  return { offset, bytes: opc === 0 ? 4 : 8 }; // W reads 4; X, LDRSW and PRFM are counted as 8
}

/** Offsets into `code` (a function from its entry) that an arm64 literal load reads as data. */
function arm64LiteralWords(code: Buffer): Set<number> {
  const data = new Set<number>();
  for (let at = 0; at + 4 <= code.length; at += 4) {
    const load = literalLoad(code.readUInt32LE(at));
    if (!load) continue;
    for (let word = at + load.offset; word < at + load.offset + load.bytes; word += 4) data.add(word);
  }
  return data;
}

/**
 * The offsets (from the function's entry) among `offsets` that are not proven instruction starts of
 * the function whose bytes are `code`. amd64: decoded from the entry, an offset must be a decoded
 * boundary. arm64: 4-byte aligned, inside the function, and not a word any literal load reads.
 * An empty result means every offset may take a breakpoint.
 */
export function unprovenProbeOffsets(arch: GoArch, code: Buffer, entry: number, offsets: readonly number[]): number[] {
  const sweep = arch === 'amd64' ? sweepAmd64(code, entry) : sweepArm64(code, entry);
  if ('undecodable' in sweep) return [...offsets];
  const starts = new Set(sweep.instructionOffsets);
  const data = arch === 'arm64' ? arm64LiteralWords(code) : new Set<number>();
  return offsets.filter((offset) => !starts.has(offset) || data.has(offset));
}
