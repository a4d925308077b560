import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GoElfError } from './go-elf-error.js';
import { checkedGoVersion, goMinorVersion } from './go-version.js';
import { forgeBuildVersion } from './test-support/forge-build-version.js';
import { inCi } from '@httpwatcher/test-support/gates';
import { loadFixtures } from './test-support/fixtures.js';
import { openBytes } from './test-support/memory-source.js';

const rejection = (bytes: Buffer): GoElfError => {
  try {
    checkedGoVersion(bytes, 'bin');
  } catch (error) {
    if (GoElfError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(bytes.toString('latin1'))}`);
};
const rawControls = /[\u0000-\u001f\u007f-\u009f]/;

describe('checkedGoVersion', () => {
  it.each(['go1.24.4', 'go1.25.5 X:nodwarf5', 'go1.22.5 (Red Hat 1.22.5-1.el9)', 'devel go1.26-3c9e1a3b Mon Jul 1'])(
    'keeps %j',
    (v) => {
      expect(checkedGoVersion(Buffer.from(v), 'bin')).toBe(v);
    },
  );

  it.each([
    ['an OSC title', Buffer.from('go1.22.0-\x1b]0;x\x07', 'latin1')],
    ['a newline', Buffer.from('go1.24.4\nhttpwatcher: tracing pid 1', 'latin1')],
    ['DEL', Buffer.from('go1.24.4-\x7f', 'latin1')],
    ['C1 CSI as UTF-8', Buffer.from('go1.24.4-\u009b2J', 'utf8')],
    ['a raw C1 byte', Buffer.from([...Buffer.from('go1.24.4-'), 0x9b])],
    ['no go prefix', Buffer.from('1.24.4')],
    ['257 bytes', Buffer.from(`go1.24.4-${'a'.repeat(248)}`)],
  ])('rejects %s as INVALID_GO_VERSION, showing its bytes escaped', (_, bytes) => {
    const error = rejection(bytes);
    expect(error.code).toBe('INVALID_GO_VERSION');
    expect(error.message).not.toMatch(rawControls);
    expect(error.message).toContain(`found ${bytes.length} bytes`);
  });

  it('names the bytes exactly in the message', () => {
    expect(rejection(Buffer.from('go1.22.0-\x1b]0;x\x07\x9b', 'latin1')).message).toContain(
      '"go1.22.0-\\u001b]0;x\\u0007\\u009b"',
    );
  });
});

describe('goMinorVersion', () => {
  it('reads the minor of a release and of a devel build', () => {
    expect(goMinorVersion('go1.25.5 X:nodwarf5')).toBe(25);
    expect(goMinorVersion('devel go1.26-abcdef Mon Jul 1')).toBe(26);
    expect(goMinorVersion('devel +abcdef')).toBeUndefined();
  });
});

const { fixtures } = loadFixtures();
const go124 = fixtures.find((f) => f.go === '1.24' && f.variant === 'default');

describe.skipIf(!inCi && !go124)('a real binary whose build info carries a forged Go version', () => {
  it('reads the rewritten build info when the version is a real one (the forging keeps it valid)', async () => {
    const bytes = await readFile(go124!.absolutePath);
    const forged = await forgeBuildVersion(bytes, 'go1.24.4-bigcorp-with-a-longer-suffix');
    const info = await (await openBytes(forged)).buildInfo();
    expect(info.goVersion).toBe('go1.24.4-bigcorp-with-a-longer-suffix');
    expect(info.setting('GOARCH')).toBe('amd64');
  });

  it('refuses an escape sequence in it with INVALID_GO_VERSION, quoted escaped', async () => {
    const bytes = await readFile(go124!.absolutePath);
    const forged = await forgeBuildVersion(bytes, 'go1.22.0-\x1b]0;x\x07');
    const binary = await openBytes(forged, 'forged');
    const error = await binary.buildInfo().then(
      () => undefined,
      (e: unknown) => e as GoElfError,
    );
    expect(error).toMatchObject({ code: 'INVALID_GO_VERSION', path: 'forged' });
    expect(error!.message).toContain('"go1.22.0-\\u001b]0;x\\u0007"');
    expect(error!.message).not.toMatch(rawControls);
  });
});
