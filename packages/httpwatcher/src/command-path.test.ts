import { describe, expect, it } from 'vitest';
import { resolveCommandPath } from './command-path.js';
import { SnooperError } from './snooper-error.js';

describe('resolveCommandPath', () => {
  it('finds a bare name in PATH, first match wins', async () => {
    expect(await resolveCommandPath('sh', '/nonexistent:/bin:/usr/bin')).toBe('/bin/sh');
  });
  it('resolves a relative path against cwd, without searching PATH', async () => {
    expect(await resolveCommandPath('./sh', '', '/bin')).toBe('/bin/sh');
  });
  it('rejects a missing command with NO_SUCH_FILE, and an empty one with INVALID_ARGUMENT', async () => {
    const missing = await resolveCommandPath('httpwatcher-no-such-command', '/bin').catch((e: unknown) => e);
    expect(SnooperError.isInstance(missing) && missing.code).toBe('NO_SUCH_FILE');
    const empty = await resolveCommandPath('').catch((e: unknown) => e);
    expect(SnooperError.isInstance(empty) && empty.code).toBe('INVALID_ARGUMENT');
  });
});
