import {
  closeSync,
  existsSync,
  linkSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { inCi } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { OutputFileError, openOutputFile } from './output-file.js';
import { scratchDir } from './test-support/scratch-dir.js';

const modeOf = (path: string): number => statSync(path).mode & 0o7777;

async function refusal(path: string): Promise<OutputFileError> {
  const error = await openOutputFile(path).then(
    (fd) => {
      closeSync(fd);
      throw new Error(`opened ${path}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutputFileError);
  return error as OutputFileError;
}

describe('openOutputFile (-o FILE)', () => {
  it('creates a new file with mode 0600, whatever the umask allows', async () => {
    const path = join(scratchDir(), 'requests.txt');
    const umask = process.umask(0o022);
    try {
      const fd = await openOutputFile(path);
      writeSync(fd, 'one request\n');
      closeSync(fd);
    } finally {
      process.umask(umask);
    }
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('one request\n');
  });

  it('refuses a symbolic link to a file it owns: SYMLINK, naming the target; the file keeps its bytes and mode', async () => {
    const dir = scratchDir();
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep me\n', { mode: 0o644 });
    const link = join(dir, 'requests.txt');
    symlinkSync(target, link);
    const error = await refusal(link);
    expect(error.code).toBe('SYMLINK');
    expect(error.message).toBe(
      `refusing to write to ${link}: it is a symbolic link to ${target}; name the file itself (or - for stdout)`,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(modeOf(target)).toBe(0o644);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a dangling symbolic link without creating its target', async () => {
    const dir = scratchDir();
    const link = join(dir, 'requests.txt');
    symlinkSync(join(dir, 'created-through-the-link'), link);
    expect((await refusal(link)).code).toBe('SYMLINK');
    expect(existsSync(join(dir, 'created-through-the-link'))).toBe(false);
  });

  it('refuses a file with another hard link: HARD_LINKED, nothing truncated', async () => {
    const dir = scratchDir();
    const other = join(dir, 'other-name');
    writeFileSync(other, 'keep me\n');
    const path = join(dir, 'requests.txt');
    linkSync(other, path);
    const error = await refusal(path);
    expect(error.code).toBe('HARD_LINKED');
    expect(error.message).toContain('has 2 hard links');
    expect(readFileSync(other, 'utf8')).toBe('keep me\n');
  });

  it('truncates an existing file of its own and leaves its mode alone', async () => {
    const path = join(scratchDir(), 'requests.txt');
    writeFileSync(path, 'an older trace, longer than the new one\n', { mode: 0o640 });
    const fd = await openOutputFile(path);
    writeSync(fd, 'new\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(modeOf(path)).toBe(0o640);
  });

  it('reports a missing directory as OPEN_FAILED', async () => {
    const path = join(scratchDir(), 'no-such-dir', 'requests.txt');
    const error = await refusal(path);
    expect(error.code).toBe('OPEN_FAILED');
    expect(error.message).toContain(`cannot write to ${path}: ENOENT`);
  });

  it('follows links on the way that root or this user owns, relative, absolute, chained and with ..', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'real', 'deep'), { recursive: true });
    symlinkSync('real', join(dir, 'relative'));
    symlinkSync(join(dir, 'real', 'deep'), join(dir, 'absolute'));
    symlinkSync('relative/deep', join(dir, 'chained'));
    for (const via of ['relative/deep', 'absolute', 'chained', 'absolute/../deep']) {
      const path = `${dir}/${via}/requests.txt`; // not join(): it would fold the .. away
      const fd = await openOutputFile(path);
      writeSync(fd, via);
      closeSync(fd);
      expect(readFileSync(join(dir, 'real', 'deep', 'requests.txt'), 'utf8')).toBe(via);
    }
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const fd = await openOutputFile(join('chained', 'relative-path.txt'));
      closeSync(fd);
    } finally {
      process.chdir(cwd);
    }
    expect(modeOf(join(dir, 'real', 'deep', 'relative-path.txt'))).toBe(0o600);
  });

  it('refuses a link loop as OPEN_FAILED', async () => {
    const dir = scratchDir();
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    expect((await refusal(join(dir, 'a', 'requests.txt'))).code).toBe('OPEN_FAILED');
  });

  const asRoot = inCi || process.getuid?.() === 0;
  it.runIf(asRoot)(
    'refuses a directory link another user owns: SYMLINK_IN_PATH, nothing created where it points',
    async () => {
      const dir = scratchDir();
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      const planted = join(dir, 'planted');
      symlinkSync(elsewhere, planted);
      lchownSync(planted, 4242, 4242);
      for (const path of [join(planted, 'requests.txt'), `${dir}/planted/../planted/x/../y`]) {
        const error = await refusal(path);
        expect(error.code).toBe('SYMLINK_IN_PATH');
        expect(error.message).toBe(
          `refusing to write to ${path}: on the way to it, planted is a symbolic link to ${elsewhere} owned by uid 4242, ` +
            'who could point it anywhere; name a file whose directories are reached without that link',
        );
      }
      expect(existsSync(join(elsewhere, 'requests.txt'))).toBe(false);
    },
  );
});
