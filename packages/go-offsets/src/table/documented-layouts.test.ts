import { describe, expect, it } from 'vitest';
import type { GoArch, GoLayout } from '../layout.js';
import { documentedEntries } from './documented-layouts.js';
import { defaultLayoutTable } from './layout-table.js';

const generated = (minor: string, arch: GoArch): GoLayout => {
  const entry = defaultLayoutTable.find((e) => e.minor === minor && e.arch === arch && e.source === 'generated');
  if (!entry) throw new Error(`no generated ${minor} ${arch} entry`);
  return entry.layout;
};
const withoutAbi = ({ abi: { goidOffset }, ...rest }: GoLayout) => ({ ...rest, goidOffset });

// The hand-written minors sit between generated ones; everything but the ABI must match both neighbours
// wherever docs/go-layouts.md says nothing moved.
describe('documented entries', () => {
  for (const arch of ['amd64', 'arm64'] as const) {
    it(`match go1.15 for 1.16–1.18 on ${arch}, ABI aside`, () => {
      for (const minor of ['go1.16', 'go1.17', 'go1.18']) {
        const entry = documentedEntries.find((e) => e.minor === minor && e.arch === arch)!;
        expect(withoutAbi(entry.layout)).toEqual(withoutAbi(generated('go1.15', arch)));
      }
    });

    it(`match go1.19 and go1.21 for 1.20 on ${arch}, ABI included`, () => {
      const entry = documentedEntries.find((e) => e.minor === 'go1.20' && e.arch === arch)!;
      expect(entry.layout).toEqual(generated('go1.19', arch));
      expect(entry.layout).toEqual(generated('go1.21', arch));
    });
  }

  it('use the URL layout before OmitHost up to 1.18 (ForceQuery 88) and after it from 1.19 (89)', () => {
    expect(generated('go1.15', 'amd64').url.forceQuery).toBe(88);
    expect(generated('go1.19', 'amd64').url.forceQuery).toBe(89);
  });
});
