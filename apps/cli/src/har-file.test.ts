import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harEntry } from './har-entry.js';
import { HarFile } from './har-file.js';
import { harSchemaErrors } from './test-support/har-validator.js';
import { requestEvent } from './test-support/request-event.js';
import { scratchDir } from './test-support/scratch-dir.js';

const creator = { name: 'httpwatcher', version: '0.0.0-test' };

/** An entry whose time is `n` ms. */
const entry = (n: number): string => {
  const ev = requestEvent({ url: `http://h.test/${n}`, status: 200, durationNs: n * 1e6 });
  return harEntry(ev, ev);
};

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('HarFile', () => {
  it('is a valid, empty HAR 1.2 log as soon as it is opened', async () => {
    const path = join(scratchDir(), 'empty.har');
    const har = await HarFile.open(path, creator);
    expect(read(path)).toEqual({ log: { version: '1.2', creator, pages: [], entries: [] } });
    expect(harSchemaErrors(read(path))).toEqual([]);
    await har.close();
  });

  it('is valid after every write, and holds every entry in order once flushed', async () => {
    const path = join(scratchDir(), 'grow.har');
    const har = await HarFile.open(path, creator);
    har.add(entry(1));
    await har.flush();
    expect(read(path).log.entries.map((e: { time: number }) => e.time)).toEqual([1]);
    for (let i = 2; i <= 300; i++) har.add(entry(i));
    await har.flush();
    const log = read(path);
    expect(log.log.entries.map((e: { time: number }) => e.time)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(harSchemaErrors(log)).toEqual([]);
    await har.close();
    expect(read(path)).toEqual(log);
  });

  it('refuses a file that is not regular (a FIFO) with NOT_A_FILE', async () => {
    const path = join(scratchDir(), 'fifo');
    execFileSync('mkfifo', [path]);
    // Opening a FIFO for writing waits for a reader: one is there.
    const reader = spawn('cat', [path], { stdio: 'ignore' });
    try {
      await expect(HarFile.open(path, creator)).rejects.toMatchObject({ code: 'NOT_A_FILE' });
    } finally {
      reader.kill();
    }
  });

  it('the schema check finds a broken entry (the validator is live)', () => {
    const bad = { log: { version: '1.2', creator, entries: [{ ...JSON.parse(entry(1)), startedDateTime: 'soon' }] } };
    expect(harSchemaErrors(bad).join('\n')).toContain('/log/entries/0/startedDateTime');
  });
});
