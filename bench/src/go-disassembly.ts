import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One instruction of `go tool objdump`'s listing. */
export interface ListedInstruction {
  address: number;
  /** The encoding, as hex. */
  bytes: string;
  /** Go assembler syntax, e.g. `CALL net/http.(*Client).do(SB)`, `MOVQ AX, 0x40(SP)`. */
  text: string;
}

/** The functions of a binary whose listing `keep` asked for, by name, in address order. */
export type Listing = Map<string, ListedInstruction[]>;

// `  client.go:587		0x670b53		e88887f9ff		CALL net/http.(*Client).do(SB)		`
const instructionLine = /^\s+\S+\s+0x([0-9a-f]+)\s+([0-9a-f]+)\s+(.+?)\s*$/;
const textLine = /^TEXT (\S+)\(SB\)/;

/**
 * Disassembles a whole Go binary with its own toolchain's `go tool objdump` (the Go assembler's
 * names and symbols, for every function) and keeps the functions `keep` accepts once their listing is
 * read. A bench tool: the library proves its probe offsets with its own decoder, and this listing is
 * only the evidence of where else a probe could go.
 */
export async function disassemble(
  binary: string,
  goroot: string,
  keep: (name: string, instructions: readonly ListedInstruction[]) => boolean,
): Promise<Listing> {
  const child = spawn(`${goroot}/bin/go`, ['tool', 'objdump', binary], {
    env: { ...process.env, GOROOT: goroot, GOTOOLCHAIN: 'local' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2048)));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const listing: Listing = new Map();
  let name: string | undefined;
  let instructions: ListedInstruction[] = [];
  const flush = (): void => {
    if (name !== undefined && keep(name, instructions)) listing.set(name, instructions);
  };
  for await (const line of createInterface({ input: child.stdout })) {
    const text = textLine.exec(line);
    if (text) {
      flush();
      name = text[1];
      instructions = [];
      continue;
    }
    const insn = instructionLine.exec(line);
    if (insn && name !== undefined)
      instructions.push({ address: Number.parseInt(insn[1]!, 16), bytes: insn[2]!, text: insn[3]! });
  }
  flush();
  const code = await exited;
  if (code !== 0) throw new Error(`go tool objdump ${binary} exited with ${code}: ${stderr}`);
  return listing;
}
