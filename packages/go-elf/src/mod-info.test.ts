import { describe, expect, it } from 'vitest';
import { parseModInfo, stripModInfoSentinels } from './mod-info.js';

const start = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const end = Buffer.from('f932433186182072008242104116d8f2', 'hex');

describe('parseModInfo', () => {
  it('reads path, main module, deps with sums and a replacement in order', () => {
    const text = [
      'path\texample.com/app/cmd/app',
      'mod\texample.com/app\tv1.2.3\th1:main=',
      'dep\tgolang.org/x/net\tv0.1.0\th1:net=',
      'dep\texample.com/fork\tv1.0.0',
      '=>\t../fork\t(devel)\t',
      'dep\tgithub.com/a/b\tv0.0.1\th1:ab=',
      '',
    ].join('\n');
    expect(parseModInfo(text)).toEqual({
      path: 'example.com/app/cmd/app',
      main: { path: 'example.com/app', version: 'v1.2.3', sum: 'h1:main=' },
      deps: [
        { path: 'golang.org/x/net', version: 'v0.1.0', sum: 'h1:net=' },
        { path: 'example.com/fork', version: 'v1.0.0', replace: { path: '../fork', version: '(devel)' } },
        { path: 'github.com/a/b', version: 'v0.0.1', sum: 'h1:ab=' },
      ],
      settings: [],
    });
  });

  it('keeps build settings in order and unquotes quoted values', () => {
    const text =
      'build\t-buildmode=exe\nbuild\t-ldflags="-s -w"\nbuild\tCGO_ENABLED=1\nbuild\tGOEXPERIMENT=noswissmap\nbuild\tCGO_CFLAGS=\n';
    expect(parseModInfo(text)).toEqual({
      path: '',
      deps: [],
      settings: [
        { key: '-buildmode', value: 'exe' },
        { key: '-ldflags', value: '-s -w' },
        { key: 'CGO_ENABLED', value: '1' },
        { key: 'GOEXPERIMENT', value: 'noswissmap' },
        { key: 'CGO_CFLAGS', value: '' },
      ],
    });
  });

  it('reads a quoted key', () => {
    expect(parseModInfo('build\t"a b"=c\n')).toEqual({ path: '', deps: [], settings: [{ key: 'a b', value: 'c' }] });
  });

  it('ignores text after the last newline, as runtime/debug does', () => {
    expect(parseModInfo('path\ta\npath\tb')).toEqual({ path: 'a', deps: [], settings: [] });
  });

  it.each([
    ['a replacement without a module', '=>\ta\tb\tc\n'],
    ['a dep with one column', 'dep\tonly\n'],
    ['a build line without =', 'build\tnoequals\n'],
    ['an unquoted value with a space', 'build\tk=a b\n'],
    ['a bad quoted value', 'build\tk="unterminated\n'],
  ])('reports %s as an error', (_, text) => {
    expect(parseModInfo(text)).toHaveProperty('error');
  });
});

describe('stripModInfoSentinels', () => {
  it('removes the 16-byte start and end markers around modinfo', () => {
    expect(stripModInfoSentinels(Buffer.concat([start, Buffer.from('path\tx\n'), end])).toString()).toBe('path\tx\n');
  });

  it('yields nothing when the byte before the end marker is not a newline, as debug/buildinfo does', () => {
    expect(stripModInfoSentinels(Buffer.concat([start, Buffer.from('path\tx!'), end])).length).toBe(0);
  });
});
