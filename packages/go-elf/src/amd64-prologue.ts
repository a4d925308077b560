import { decodeAmd64, R12, R13, R14, RSP, type Amd64Instruction, type Amd64Operand } from './amd64-instruction.js';
import { morestackWindowInstructions, type PrologueResult } from './stack-check.js';

const JB = 0x2;
const JBE = 0x6;
const stackguard0 = 0x10;
const stackguard1 = 0x18;

/**
 * Recognises the stack-bound check Go's linker emits (cmd/internal/obj/x86/obj6.go: stacksplit):
 *   Go ≥ 1.17 (g in R14):  [lea r12,[rsp-N] | mov r12,rsp; sub r12,N; jb M]  cmp r12|rsp,[r14+16]; jbe M
 *   Go ≤ 1.16 (g from TLS): mov rcx,fs:[-8] | mov rcx,-8; mov rcx,fs:[rcx] | mov rcx,[rip+x]; mov rcx,fs:[rcx]
 *                           then [lea rax,[rsp-N]] cmp rax|rsp,[rcx+16]; jbe M
 * and validates that M calls morestack and jumps back to the entry.
 */
export function analyzeAmd64Prologue(code: Buffer, entry: number): PrologueResult {
  let at = 0;
  const next = (): Amd64Instruction | undefined => {
    const instruction = decodeAmd64(code, at, entry + at);
    if (instruction) at += instruction.length;
    return instruction;
  };
  let instruction = next();
  let g = R14;
  let gFromTls = false;
  let gTlsOffset: number | undefined;
  const written: number[] = [];
  const tlsLoad = asTlsLoad(instruction);
  if (tlsLoad) {
    g = tlsLoad.reg;
    gFromTls = true;
    gTlsOffset = (tlsLoad.rm as Extract<Amd64Operand, { kind: 'memory' }>).displacement;
    instruction = next();
  } else if (
    isMov(instruction) &&
    (instruction.opcode === 0xc7 || (instruction.rm.kind === 'memory' && instruction.rm.base === 'rip'))
  ) {
    // TLS offset in a register (PIE: mov rcx,-8; initial-exec: mov rcx,[rip+GOT]), then mov rcx,fs:[rcx].
    const offsetRegister = instruction.opcode === 0xc7 ? registerOf(instruction.rm) : instruction.reg;
    const load = next();
    if (
      !isMov(load) ||
      load.opcode !== 0x8b ||
      load.rm.kind !== 'memory' ||
      !load.rm.fsSegment ||
      load.rm.base !== offsetRegister ||
      load.rm.index !== undefined
    ) {
      return { unrecognised: 'a TLS offset load not followed by a g load from fs:[reg]' };
    }
    g = load.reg;
    gFromTls = true;
    // With the offset from the GOT ([rip+x]) it is known only at run time.
    if (instruction.opcode === 0xc7) gTlsOffset = instruction.immediate;
    written.push(offsetRegister ?? -1);
    instruction = next();
  }
  if (gFromTls) written.push(g);

  let compared = RSP;
  let underflowTarget: number | undefined;
  if (isModrm(instruction, 0x8d) && isStackRelative(instruction.rm)) {
    compared = instruction.reg;
    instruction = next();
  } else if (isRegisterCopyOfRsp(instruction)) {
    const copy = instruction as ModrmInstruction;
    compared = copy.opcode === 0x89 ? registerOf(copy.rm)! : copy.reg;
    const sub = next();
    if (
      sub?.kind !== 'modrm' ||
      (sub.opcode !== 0x81 && sub.opcode !== 0x83) ||
      (sub.reg & 7) !== 5 ||
      registerOf(sub.rm) !== compared
    ) {
      return { unrecognised: 'mov tmp,rsp not followed by sub tmp,N' };
    }
    const jb = next();
    if (jb?.kind !== 'jcc' || jb.condition !== JB)
      return { unrecognised: 'sub tmp,N not followed by jb (underflow check)' };
    underflowTarget = jb.target;
    instruction = next();
  }
  if (compared !== RSP) written.push(compared);

  if (
    !isModrm(instruction, 0x3b) ||
    instruction.reg !== compared ||
    instruction.rm.kind !== 'memory' ||
    instruction.rm.base !== g ||
    instruction.rm.index !== undefined ||
    instruction.rm.fsSegment ||
    ![stackguard0, stackguard1].includes(instruction.rm.displacement)
  ) {
    return { unrecognised: 'no cmp of the stack pointer against g.stackguard' };
  }
  const branch = next();
  if (branch?.kind !== 'jcc' || branch.condition !== JBE)
    return { unrecognised: 'the stack-bound cmp is not followed by jbe' };
  if (underflowTarget !== undefined && underflowTarget !== branch.target)
    return { unrecognised: 'the underflow and stack-bound branches go to different places' };
  // With the register ABI the check may only use the linker's scratch registers (R12, R13).
  if (!gFromTls && written.some((r) => r !== R12 && r !== R13))
    return { unrecognised: 'the check writes a register that may hold an argument' };

  const morestackOffset = branch.target - entry;
  if (morestackOffset <= at || morestackOffset >= code.length)
    return { unrecognised: 'the jbe target lies outside the function body' };
  const reason = validateMorestackBlock(code, morestackOffset, entry);
  if (reason) return { unrecognised: reason };
  return { checkEndOffset: at, morestackOffset, ...(gTlsOffset !== undefined && { gTlsOffset }) };
}

/** The block must spill/restore with movs, call morestack, and end in an unconditional jmp to the entry. */
function validateMorestackBlock(code: Buffer, offset: number, entry: number): string | undefined {
  let calls = 0;
  let at = offset;
  for (let n = 0; n < morestackWindowInstructions; n++) {
    const instruction = decodeAmd64(code, at, entry + at);
    if (!instruction) return 'the morestack block contains an instruction other than mov, call or jmp';
    at += instruction.length;
    if (instruction.kind === 'call') calls++;
    else if (instruction.kind === 'jmp') {
      if (instruction.target !== entry) return 'the morestack block jumps somewhere other than the entry';
      return calls > 0 ? undefined : 'the morestack block has no call';
    } else if (instruction.kind === 'jcc') return 'the morestack block contains a conditional branch';
    else if (instruction.kind === 'modrm' && !isMoveLike(instruction))
      return 'the morestack block contains an instruction other than mov, call or jmp';
  }
  return 'no jmp back to the entry within the morestack window';
}

type ModrmInstruction = Extract<Amd64Instruction, { kind: 'modrm' }>;

function isModrm(i: Amd64Instruction | undefined, opcode: number): i is ModrmInstruction {
  return i?.kind === 'modrm' && !i.twoByte && i.opcode === opcode;
}

function isMov(i: Amd64Instruction | undefined): i is ModrmInstruction {
  return isModrm(i, 0x8b) || isModrm(i, 0xc7);
}

function isMoveLike(i: ModrmInstruction): boolean {
  return i.twoByte || [0x88, 0x89, 0x8a, 0x8b].includes(i.opcode);
}

function asTlsLoad(i: Amd64Instruction | undefined): ModrmInstruction | undefined {
  return isModrm(i, 0x8b) &&
    i.rm.kind === 'memory' &&
    i.rm.fsSegment &&
    i.rm.base === undefined &&
    i.rm.index === undefined
    ? i
    : undefined;
}

function isStackRelative(rm: Amd64Operand): boolean {
  return rm.kind === 'memory' && rm.base === RSP && rm.index === undefined && !rm.fsSegment;
}

function isRegisterCopyOfRsp(i: Amd64Instruction | undefined): boolean {
  if (i?.kind !== 'modrm' || i.twoByte || i.rm.kind !== 'register') return false;
  return (i.opcode === 0x89 && i.reg === RSP) || (i.opcode === 0x8b && i.rm.register === RSP);
}

function registerOf(rm: Amd64Operand): number | undefined {
  return rm.kind === 'register' ? rm.register : undefined;
}
