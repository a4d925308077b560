import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snooper } from './snooper.js';
import { builtFixtures } from '@httpwatcher/test-support/fixtures';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { runTraced } from './test-support/traced-run.js';

const describeBpf = describe.runIf(runBpfTests);

const cell = builtFixtures(
  (c) => c.program === 'client' && c.goarch === 'amd64' && c.go === '1.24' && c.variant === 'default',
)[0];

describeBpf('option redact: names added to the built-in ones (real BPF)', () => {
  let snoop: Snooper;
  beforeAll(async () => {
    snoop = await Snooper.init({ redact: { headers: ['x_request_*'], params: ['LIMIT'] } });
  });
  afterAll(() => snoop?.close());

  it('masks the added header and parameter names, and the built-in ones with them', async () => {
    expect(cell, 'test-fixtures/out has no go1.24 default client: run test-fixtures/build.sh').toBeDefined();
    const run = await runTraced(snoop, cell!.absolutePath, ['-scenario', 'basic']);
    expect(run.exitCode, run.stderr).toBe(0);
    const masked = (key: string, value: string): string => {
      if (key === 'Authorization') return `${value.split(' ')[0]} ****`;
      return key === 'X-Request-Id' ? '****' : value;
    };
    expect(run.events.map((e) => ({ url: e.url, headers: e.headers }))).toEqual(
      run.truths.map((t) => ({
        url: t.url.replace(/([?&])limit=[^&#]*/, '$1limit=****'),
        headers: Object.fromEntries(Object.entries(t.headers).map(([k, v]) => [k, masked(k, v)])),
      })),
    );
    // The scenario has each kind of name the rules above mask.
    expect(run.truths.some((t) => t.url.includes('limit=10'))).toBe(true);
    expect(run.truths.some((t) => 'X-Request-Id' in t.headers)).toBe(true);
    expect(run.truths.some((t) => 'Authorization' in t.headers)).toBe(true);
  });
});

describe('option redact without BPF', () => {
  it('rejects a name holding a control character with INVALID_ARGUMENT, before loading anything', async () => {
    await expect(Snooper.init({ redact: { headers: ['X-\u001b[2J'] } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
