import { decodeAmd64Span } from './amd64-length.js';

/** A function's code swept from entry to end, as offsets from the entry. */
export interface CodeSweep {
  /** Start of every instruction, in order. */
  instructionOffsets: number[];
  /** Instructions that return to the caller. */
  returnOffsets: number[];
  /** Direct jumps whose target lies outside the function: exits that are not returns (tail calls). */
  jumpsOut: number[];
  /** Direct jumps whose target lies inside the function but is no instruction start: the decode is wrong. */
  jumpsMisaligned: number[];
}

export type SweepResult = CodeSweep | { undecodable: string };

/**
 * Linear sweep of x86-64 code: Go puts no data in .text (jump tables live in .rodata) and pads between
 * functions with int3, so every byte from the entry to the end is an instruction.
 */
export function sweepAmd64(code: Buffer, entry: number): SweepResult {
  const sweep: CodeSweep = { instructionOffsets: [], returnOffsets: [], jumpsOut: [], jumpsMisaligned: [] };
  const inside: Array<[at: number, target: number]> = [];
  for (let at = 0; at < code.length; ) {
    const span = decodeAmd64Span(code, at, entry + at);
    if (!span) {
      const bytes = code.subarray(at, at + 15).toString('hex');
      return {
        undecodable: `bytes ${bytes} at +0x${at.toString(16)} that are not an x86-64 instruction this decoder knows, or one that crosses the function's end`,
      };
    }
    sweep.instructionOffsets.push(at);
    if (span.isReturn) sweep.returnOffsets.push(at);
    if (span.jumpTarget !== undefined && (span.jumpTarget < entry || span.jumpTarget >= entry + code.length))
      sweep.jumpsOut.push(at);
    else if (span.jumpTarget !== undefined) inside.push([at, span.jumpTarget - entry]);
    at += span.length;
  }
  const starts = new Set(sweep.instructionOffsets);
  for (const [at, target] of inside) if (!starts.has(target)) sweep.jumpsMisaligned.push(at);
  return sweep;
}

/** RET {Xn} (C6.2.254): 1101011 0010 11111 000000 Rn 00000; Go writes RET as ret x30. */
const retMask = 0xfffffc1f;
const retBits = 0xd65f0000;

/** arm64 instructions are 4 bytes; returns and direct branches are recognised by their encodings. */
export function sweepArm64(code: Buffer, _entry: number): SweepResult {
  if (code.length % 4 !== 0)
    return { undecodable: `a length of ${code.length} bytes, not a whole number of 4-byte arm64 instructions` };
  const sweep: CodeSweep = { instructionOffsets: [], returnOffsets: [], jumpsOut: [], jumpsMisaligned: [] };
  for (let at = 0; at < code.length; at += 4) {
    const insn = code.readUInt32LE(at);
    sweep.instructionOffsets.push(at);
    if ((insn & retMask) >>> 0 === retBits) sweep.returnOffsets.push(at);
    const offset = arm64BranchOffset(insn);
    if (offset !== undefined && (at + offset < 0 || at + offset >= code.length)) sweep.jumpsOut.push(at);
  }
  return sweep;
}

/** Byte offset of a direct branch (B, B.cond, CBZ/CBNZ, TBZ/TBNZ), or undefined for other instructions. BL returns, so it is not an exit. */
function arm64BranchOffset(insn: number): number | undefined {
  if ((insn & 0xfc000000) >>> 0 === 0x14000000) return signExtend(insn & 0x3ffffff, 26) * 4;
  if ((insn & 0xff000010) >>> 0 === 0x54000000 || (insn & 0x7e000000) === 0x34000000)
    return signExtend((insn >>> 5) & 0x7ffff, 19) * 4;
  if ((insn & 0x7e000000) === 0x36000000) return signExtend((insn >>> 5) & 0x3fff, 14) * 4;
  return undefined;
}

function signExtend(value: number, bits: number): number {
  return value & (1 << (bits - 1)) ? value - 2 ** bits : value;
}
