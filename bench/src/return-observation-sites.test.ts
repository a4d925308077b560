import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { manifestRows } from '@httpwatcher/test-support/fixtures';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { GoBinary, clientDoName } from '@httpwatcher/go-elf';
import { describe, expect, it } from 'vitest';
import { emulatedByUprobes, returnObservationSites } from './return-observation-sites.js';

describe('emulatedByUprobes', () => {
  it('emulates call, jmp, jcc, nop and push of a register, as Linux 6.18 x86 uprobes do', () => {
    expect(emulatedByUprobes('e8c2010000')).toBe(true); // CALL rel32
    expect(emulatedByUprobes('ebc9')).toBe(true); // JMP rel8
    expect(emulatedByUprobes('7412')).toBe(true); // JE rel8
    expect(emulatedByUprobes('0f863b010000')).toBe(true); // JBE rel32
    expect(emulatedByUprobes('90')).toBe(true); // NOP
    expect(emulatedByUprobes('55')).toBe(true); // PUSHQ BP
    expect(emulatedByUprobes('4156')).toBe(true); // PUSHQ R14
  });

  it('single-steps RET, the MOVs after a call and the epilogue', () => {
    expect(emulatedByUprobes('c3')).toBe(false); // RET
    expect(emulatedByUprobes('4889442440')).toBe(false); // MOVQ AX, 0x40(SP)
    expect(emulatedByUprobes('488b442410')).toBe(false); // MOVQ 0x10(SP), AX
    expect(emulatedByUprobes('4883c440')).toBe(false); // ADDQ $0x40, SP
    expect(emulatedByUprobes('5d4883')).toBe(false); // not a lone push
  });
});

const go115 = manifestRows().find((r) => r.program === 'response-client' && r.go === '1.15' && r.variant === 'default');
const built = go115 !== undefined && existsSync(join(repoRoot, go115.path)) && existsSync(`${go115.goroot}/bin/go`);

describe.runIf(built)('returnObservationSites on go1.15 response-client', () => {
  it('finds the return address after each direct call of Client.do and one defer test per return path', async () => {
    const path = join(repoRoot, go115!.path);
    const returns = await (async () => {
      await using binary = await GoBinary.open(path);
      return await binary.returnSites(await binary.findFunction(clientDoName));
    })();
    const sites = await returnObservationSites(path, go115!.goroot, returns);
    expect(sites.returns.map((s) => s.instruction)).toEqual(returns.map(() => 'RET'));
    expect(
      sites.returnAddresses.map((s) => [s.function, s.instruction, s.instructionStart, s.emulated, s.jumpTarget]),
    ).toEqual([
      ['net/http.(*Client).Get', 'MOVQ 0x10(SP), AX', true, false, false],
      ['main.run', 'MOVQ 0x10(SP), AX', true, false, false],
    ]);
    expect(sites.tailJumpsFrom).toEqual([]);
    expect(sites.deferBranches.length).toBe(returns.length - 1);
    expect(sites.deferBranches.every((s) => s.instruction.startsWith('JNE ') && s.emulated && s.instructionStart)).toBe(
      true,
    );
  }, 60_000); // go tool objdump of the whole binary
});
