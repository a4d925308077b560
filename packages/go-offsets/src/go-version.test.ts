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

  it('accepts a distribution note after a space, as Red Hat builds print', () => {
    expect(parseGoVersion('go1.22.5 (Red Hat 1.22.5-1.el9)')).toMatchObject({ minor: 22, patch: 5 });
  });

  // A build info version is written by whoever built the binary, and is printed to root's terminal.
  it.each([
    ['an OSC title sequence in a vendor suffix', 'go1.22.0-\x1b]0;x\x07'],
    ['a CSI sequence after the experiments', 'go1.24.4 X:noswissmap\x1b[2J'],
    ['a newline forging a line', 'go1.24.4\nhttpwatcher: tracing pid 1'],
    ['a carriage return', 'go1.24.4-\rx'],
    ['a tab inside a devel build', 'devel go1.26-abc\tMon Jul 1'],
    ['DEL', 'go1.24.4-\x7f'],
    ['C1 CSI (U+009B)', 'go1.24.4-\u009b2J'],
    ['a non-ASCII character', 'go1.24.4-bigcörp'],
    ['257 characters', `go1.24.4-${'a'.repeat(248)}`],
  ])('rejects %s, quoting it escaped in the message', (_, v) => {
    let error: OffsetsError | undefined;
    try {
      parseGoVersion(v);
    } catch (e) {
      error = e as OffsetsError;
    }
    expect(error).toMatchObject({ code: 'INVALID_GO_VERSION', goVersion: v });
    expect(error!.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('accepts 256 printable characters', () => {
    expect(parseGoVersion(`go1.24.4-${'a'.repeat(247)}`)).toMatchObject({ minor: 24, patch: 4 });
  });
});

describe('goExperiments', () => {
  it('merges the version suffix with the GOEXPERIMENT build setting, lower-cased and deduplicated', () => {
    expect(goExperiments(parseGoVersion('go1.24.4 X:noswissmap'), 'NoSwissMap, nodwarf5')).toEqual([
      'noswissmap',
      'nodwarf5',
    ]);
  });
});
