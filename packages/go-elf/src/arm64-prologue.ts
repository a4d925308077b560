import { morestackWindowInstructions, type PrologueResult } from './stack-check.js';

const SP = 31;
const G = 28;
const COND_LO = 0x3;
const COND_LS = 0x9;

/**
 * Recognises the stack-bound check of cmd/internal/obj/arm64/obj7.go (stacksplit):
 *   ldr xG,[x28,#16]                       g.stackguard0 (x16 since Go 1.17's register ABI work, x1 before)
 *   cmp sp,xG | mov xT,sp; cmp xT,xG | sub xT,sp,#N; cmp xT,xG | subs xT,sp,#N; b.lo M; cmp xT,xG
 *   b.ls M
 * and validates that M calls morestack (bl) and branches (b) back to the entry.
 * `registerAbi`: with Go ≥ 1.18's register ABI, only the scratch registers x16/x17 may be written.
 */
export function analyzeArm64Prologue(code: Buffer, entry: number, registerAbi: boolean): PrologueResult {
  const count = Math.floor(code.length / 4);
  const word = (i: number) => (i < count ? code.readUInt32LE(i * 4) : 0);
  let i = 0;
  const load = word(i++);
  const scaledOffset = ((load >>> 10) & 0xfff) * 8;
  if (
    (load & 0xffc00000) >>> 0 !== 0xf9400000 ||
    ((load >>> 5) & 31) !== G ||
    (scaledOffset !== 16 && scaledOffset !== 24)
  ) {
    return { unrecognised: 'the first instruction is not ldr xN,[x28,#16] (g.stackguard0)' };
  }
  const guard = load & 31;
  const written = [guard];
  let compared = SP;
  let underflowTarget: number | undefined;

  const first = word(i);
  if (isAddOrSubImmediateFromSp(first, 0x91000000) && immediate12(first) === 0) {
    compared = first & 31; // mov xT, sp
    i++;
  } else if (isAddOrSubImmediateFromSp(first, 0xd1000000)) {
    compared = first & 31; // sub xT, sp, #N
    i++;
  } else if (isAddOrSubImmediateFromSp(first, 0xf1000000)) {
    compared = first & 31; // subs xT, sp, #N
    const lo = word(i + 1);
    if (conditionOf(lo) !== COND_LO) return { unrecognised: 'subs xT,sp,#N not followed by b.lo' };
    underflowTarget = entry + (i + 1) * 4 + branchOffset19(lo);
    i += 2;
  }
  if (compared !== SP) written.push(compared);

  const cmp = word(i++);
  if (!isCompare(cmp, compared, guard)) return { unrecognised: 'no cmp of the stack pointer against g.stackguard' };
  const bls = word(i);
  if (conditionOf(bls) !== COND_LS) return { unrecognised: 'the stack-bound cmp is not followed by b.ls' };
  const target = entry + i * 4 + branchOffset19(bls);
  i++;
  if (underflowTarget !== undefined && underflowTarget !== target)
    return { unrecognised: 'the underflow and stack-bound branches go to different places' };
  const forbidden = registerAbi ? (r: number) => r !== 16 && r !== 17 : (r: number) => r >= G;
  if (written.some(forbidden))
    return { unrecognised: 'the check writes a register that may hold an argument or is reserved' };

  const morestackOffset = target - entry;
  if (morestackOffset <= i * 4 || morestackOffset >= count * 4)
    return { unrecognised: 'the b.ls target lies outside the function body' };
  const reason = validateMorestackBlock(word, morestackOffset / 4, count, entry);
  return reason ? { unrecognised: reason } : { checkEndOffset: i * 4, morestackOffset };
}

function validateMorestackBlock(
  word: (i: number) => number,
  start: number,
  count: number,
  entry: number,
): string | undefined {
  let calls = 0;
  for (let i = start; i < Math.min(count, start + morestackWindowInstructions); i++) {
    const insn = word(i);
    if ((insn & 0xfc000000) >>> 0 === 0x14000000) {
      // b: unconditional, imm26
      const target = entry + i * 4 + signExtend(insn & 0x3ffffff, 26) * 4;
      if (target !== entry) return 'the morestack block branches somewhere other than the entry';
      return calls > 0 ? undefined : 'the morestack block has no bl';
    }
    if ((insn & 0xfc000000) >>> 0 === 0x94000000) calls++;
    else if (!isLoadStore(insn) && !isRegisterMove(insn) && !isSpillAddress(insn))
      return 'the morestack block contains an instruction other than mov, load/store, bl or b';
  }
  return 'no branch back to the entry within the morestack window';
}

/** ADD/SUB/SUBS (immediate, 64-bit) with Rn = SP; `opcode` selects which. */
function isAddOrSubImmediateFromSp(insn: number, opcode: number): boolean {
  return (insn & 0xff800000) >>> 0 === opcode && ((insn >>> 5) & 31) === SP;
}

function immediate12(insn: number): number {
  return ((insn >>> 10) & 0xfff) << ((insn >>> 22) & 1 ? 12 : 0);
}

/** cmp a, b = SUBS xzr, a, b: shifted-register form (no shift), or extended-register form when a is SP. */
function isCompare(insn: number, left: number, right: number): boolean {
  if ((insn & 31) !== 31 || ((insn >>> 16) & 31) !== right || ((insn >>> 5) & 31) !== left) return false;
  if (left === SP) return (insn & 0xffe0fc00) >>> 0 === 0xeb206000; // extended, UXTX #0
  return (insn & 0xffe0fc00) >>> 0 === 0xeb000000; // shifted register, LSL #0
}

function conditionOf(insn: number): number | undefined {
  return (insn & 0xff000010) >>> 0 === 0x54000000 ? insn & 0xf : undefined;
}

function branchOffset19(insn: number): number {
  return signExtend((insn >>> 5) & 0x7ffff, 19) * 4;
}

function signExtend(value: number, bits: number): number {
  return value & (1 << (bits - 1)) ? value - 2 ** bits : value;
}

/** Loads and stores (op0 = x1x0 in the top-level encoding table): register spills and restores. */
function isLoadStore(insn: number): boolean {
  return ((insn >>> 25) & 0b0101) === 0b0100;
}

/** add x27, sp, #N: the linker's temporary (REGTMP) addressing a spill slot beyond stp's reach (large frames). */
function isSpillAddress(insn: number): boolean {
  return isAddOrSubImmediateFromSp(insn, 0x91000000) && (insn & 31) === 27;
}

/** mov xd, xm (ORR xd, xzr, xm). */
function isRegisterMove(insn: number): boolean {
  return (insn & 0xffe0ffe0) >>> 0 === 0xaa0003e0;
}
