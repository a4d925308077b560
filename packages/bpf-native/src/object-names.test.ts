import { runBpfTests } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { bpfObjectPath, loadAddon, openTracer, sharedMapNames, uprobePrograms } from './index.js';
import { readBpfObjectSymbols } from './test-support/bpf-object-symbols.js';

const sorted = (names: readonly string[]): string[] => [...names].sort();

describe('names of maps and programs: the compiled object, bpf/httpwatcher.h (through the addon) and TypeScript agree', () => {
  const names = loadAddon().objectNames;

  for (const [arch, build] of [
    ['x64', 'default'],
    ['x64', 'compat'],
    ['arm64', 'default'],
    ['arm64', 'compat'],
  ] as const) {
    it(`the ${arch} object of the ${build} build defines exactly the maps and programs httpwatcher.h names`, () => {
      const object = readBpfObjectSymbols(bpfObjectPath(arch, build));
      expect(sorted(object.maps)).toEqual(sorted(names.maps));
      expect(sorted(object.programs.map((p) => p.name))).toEqual(
        sorted([...names.uprobePrograms, ...names.lifecyclePrograms]),
      );
      for (const program of object.programs) {
        const expected = names.uprobePrograms.includes(program.name as never) ? 'uprobe' : /^raw_tp\/sched_process_/;
        expect(program.section).toMatch(expected);
      }
    });
  }

  it('the shared maps and uprobe programs of native-surface.ts are the ones the addon looks up', () => {
    expect(sorted(sharedMapNames)).toEqual(sorted(names.sharedMaps));
    expect(sorted(uprobePrograms)).toEqual(sorted(names.uprobePrograms));
    expect(names.maps).toEqual(expect.arrayContaining([...names.sharedMaps]));
    expect(names.entryProgram).toBe('client_do');
  });

  it.runIf(runBpfTests)('counters() returns one sum per slot of enum hw_counter', () => {
    const tracer = openTracer();
    try {
      expect(tracer.counters()).toHaveLength(names.counterCount);
    } finally {
      tracer.close();
    }
  });
});
