import { describe, expect, it } from 'vitest';
import { goExperiments, parseGoVersion } from './go-version.js';
import type { OffsetsError } from './offsets-error.js';

describe('parseGoVersion', () => {
  it('parses a release', () => {
    expect(parseGoVersion('go1.24.4')).toEqual({ major: 1, minor: 24, patch: 4, experiments: [], devel: false });
  });

  it('reads the experiment suffix of runtime.Version()', () => {
    expect(parseGoVersion('go1.25.5 X:nodwarf5').experiments).toEqual(['nodwarf5']);
    expect(parseGoVersion('go1.24.1 X:noswissmap,aliastypeparams')).toMatchObject({
      minor: 24,
      patch: 1,
      experiments: ['noswissmap', 'aliastypeparams'],
    });
  });

  it('treats go1.20 (first release before 1.21) as patch 0', () => {
    expect(parseGoVersion('go1.20')).toMatchObject({ minor: 20, patch: 0 });
  });

  it('keeps pre-releases apart', () => {
    expect(parseGoVersion('go1.21rc2')).toEqual({
      major: 1,
      minor: 21,
      patch: 0,
      pre: 'rc2',
      experiments: [],
      devel: false,
    });
    expect(parseGoVersion('go1.9beta1')).toMatchObject({ minor: 9, pre: 'beta1' });
  });

  it('marks devel builds and reads their minor', () => {
    expect(parseGoVersion('devel go1.26-3c9e1a3b Mon Jul 1 12:00:00 2025 +0000')).toMatchObject({
      major: 1,
      minor: 26,
      devel: true,
    });
    expect(parseGoVersion('devel go1.27-abcdef0 Tue Feb 3 2026 +0000 X:nodwarf5')).toMatchObject({
      devel: true,
      experiments: ['nodwarf5'],
    });
  });

  it('strips a vendor suffix as go/version does', () => {
    expect(parseGoVersion('go1.22.3-bigcorp')).toMatchObject({ minor: 22, patch: 3, devel: false });
    expect(parseGoVersion('go1.22.3-bigcorp').pre).toBeUndefined();
  });

  it('accepts --assume-go input without the go prefix', () => {
    expect(parseGoVersion(' 1.24 ')).toMatchObject({ major: 1, minor: 24, patch: 0 });
  });

  it.each(['', 'go', 'devel +b2a346b Mon Jul 1', 'gox1.2', 'go1.24.4.1.2', 'rust1.80', 'go1.24\u0000'])(
    'rejects %j',
    (v) => {
      expect(() => parseGoVersion(v)).toThrow(expect.objectContaining({ code: 'INVALID_GO_VERSION' }) as OffsetsError);
    },
  );
});

describe('goExperiments', () => {
  it('merges the version suffix with the GOEXPERIMENT build setting, lower-cased and deduplicated', () => {
    expect(goExperiments(parseGoVersion('go1.24.4 X:noswissmap'), 'NoSwissMap, nodwarf5')).toEqual([
      'noswissmap',
      'nodwarf5',
    ]);
  });
});
