import { GoBinary, clientDoName, unprovenProbeOffsets, type ProbeLocation } from '@httpwatcher/go-elf';
import { disassemble, type ListedInstruction, type Listing } from './go-disassembly.js';

/** A place other than Client.do's RET where a plain uprobe sees the call end, with what the probe would hit. */
export interface ObservationSite extends ProbeLocation {
  /** The function the instruction belongs to. */
  function: string;
  /** Go assembler syntax of the probed instruction. */
  instruction: string;
  /** Proven an instruction start by the library's own check (go-elf `unprovenProbeOffsets`). */
  instructionStart: boolean;
  /** Whether Linux's x86 uprobes emulate the instruction instead of single-stepping it (see `emulatedByUprobes`). */
  emulated: boolean;
}

/** The instruction after a direct `CALL net/http.(*Client).do`: the return address in the caller's frame. */
export interface ReturnAddressSite extends ObservationSite {
  /** A jump of the caller lands there too: the probe would also fire where no call returned. */
  jumpTarget: boolean;
}

export interface ReturnObservationSites {
  /** The library's RET sites as the listing shows them. */
  returns: ObservationSite[];
  /** Every direct call of Client.do in the binary but Client.do's own restart after a stack growth. */
  returnAddresses: ReturnAddressSite[];
  /** Functions that jump to Client.do instead of calling it (a tail call): their calls return past any return address. */
  tailJumpsFrom: string[];
  /**
   * The conditional jump of each return path of Client.do that tests whether its open-coded defer
   * must run before the epilogue. Emulated, but the deferred call may still change the named results
   * after it, and with the register ABI they are then in the frame's own slots, not in registers.
   */
  deferBranches: ObservationSite[];
}

/**
 * Which instructions Linux's x86 uprobes emulate rather than single-step out of line
 * (arch/x86/kernel/uprobes.c, `branch_setup_xol_ops` and `push_setup_xol_ops`, Linux 6.18): call
 * rel32, jmp rel8/rel32, jcc (short and near), nop (0x90) and push of a general register. Everything
 * else, RET and every MOV among them, is copied to the XOL page and single-stepped.
 */
export function emulatedByUprobes(bytesHex: string): boolean {
  const b = Buffer.from(bytesHex, 'hex');
  const op = b[0] === 0x41 && b.length === 2 ? b[1]! : b[0]!;
  if (op >= 0x50 && op <= 0x57) return b.length <= 2; // push r64
  if (op === 0xe8 || op === 0xe9 || op === 0xeb || op === 0x90) return true;
  if (op >= 0x70 && op <= 0x7f) return true;
  return op === 0x0f && b[1]! >= 0x80 && b[1]! <= 0x8f;
}

const callClientDo = `CALL ${clientDoName}(SB)`;
const jumpClientDo = `JMP ${clientDoName}(SB)`;
/** What a Go amd64 epilogue is made of after its results are in place: result loads, the frame's release, padding. */
const epilogueStep = /^(MOVQ 0x[0-9a-f]+\(SP\), [A-Z0-9]+|ADDQ \$0x[0-9a-f]+, SP|POPQ BP|NOP[LW]?)$/;

/** The sites where the end of a Client.do call can be seen, found in `go tool objdump`'s listing of the binary. */
export async function returnObservationSites(
  binaryPath: string,
  goroot: string,
  returns: readonly ProbeLocation[],
): Promise<ReturnObservationSites> {
  const listing = await disassemble(
    binaryPath,
    goroot,
    (name, insns) => name === clientDoName || insns.some((i) => i.text === callClientDo || i.text === jumpClientDo),
  );
  const clientDo = listing.get(clientDoName);
  if (!clientDo) throw new Error(`${binaryPath}: go tool objdump lists no ${clientDoName}`);
  await using binary = await GoBinary.open(binaryPath);
  const site = async (fn: string, insn: ListedInstruction): Promise<ObservationSite> => {
    const f = await binary.findFunction(fn);
    const offset = insn.address - f.entry;
    const unproven = unprovenProbeOffsets(binary.arch, await binary.readVirtual(f.entry, f.size), f.entry, [offset]);
    return {
      function: fn,
      address: insn.address,
      fileOffset: f.fileOffset + offset,
      instruction: insn.text,
      instructionStart: unproven.length === 0,
      emulated: emulatedByUprobes(insn.bytes),
    };
  };

  const returnSites: ObservationSite[] = [];
  for (const r of returns) {
    const insn = clientDo.find((i) => i.address === r.address);
    if (!insn)
      throw new Error(`${binaryPath}: no instruction of ${clientDoName} at the RET site 0x${r.address.toString(16)}`);
    returnSites.push(await site(clientDoName, insn));
  }
  return {
    returns: returnSites,
    returnAddresses: await callerReturns(listing, site),
    tailJumpsFrom: [...listing]
      .filter(([name, insns]) => name !== clientDoName && insns.some((i) => i.text === jumpClientDo))
      .map(([name]) => name),
    deferBranches: await Promise.all(deferBranchesOf(clientDo, returns).map((insn) => site(clientDoName, insn))),
  };
}

async function callerReturns(
  listing: Listing,
  site: (fn: string, insn: ListedInstruction) => Promise<ObservationSite>,
): Promise<ReturnAddressSite[]> {
  const found: ReturnAddressSite[] = [];
  for (const [name, insns] of listing) {
    for (let i = 0; i + 1 < insns.length; i++) {
      if (insns[i]!.text !== callClientDo) continue;
      const after = insns[i + 1]!;
      const target = `0x${after.address.toString(16)}`;
      const jumpTarget = insns.some((j) => /^J[A-Z]+ 0x[0-9a-f]+$/.test(j.text) && j.text.endsWith(` ${target}`));
      found.push({ ...(await site(name, after)), jumpTarget });
    }
  }
  return found;
}

/**
 * The open-coded defer's test on each return path of Client.do (Go 1.14+): `TEST $0x1, <defer bits>`
 * and a conditional jump that either lands on an epilogue ending in one of `returns` (Go 1.17+) or
 * falls through into one (Go 1.15). Every call that returns passes one of them, once.
 */
function deferBranchesOf(
  clientDo: readonly ListedInstruction[],
  returns: readonly ProbeLocation[],
): ListedInstruction[] {
  const epilogueStarts = new Set<number>();
  for (const r of returns) {
    let at = clientDo.findIndex((i) => i.address === r.address);
    while (at > 0 && epilogueStep.test(clientDo[at - 1]!.text)) at--;
    epilogueStarts.add(clientDo[at]!.address);
  }
  return clientDo.filter((insn, i) => {
    const jcc = /^J(?!MP)[A-Z]+ 0x([0-9a-f]+)$/.exec(insn.text);
    if (!jcc || !/^TEST[BL] \$0x1, /.test(clientDo[i - 1]?.text ?? '')) return false;
    const next = clientDo[i + 1];
    return epilogueStarts.has(Number.parseInt(jcc[1]!, 16)) || (next !== undefined && epilogueStarts.has(next.address));
  });
}
