import { describe, expect, it } from 'vitest';
import { RequestLabeler } from './request-labels.js';
import { fakeProcess, fakeRequest } from './test-support/fake-events.js';

describe('RequestLabeler', () => {
  it('forgets an exited process a minute after its exit, so a new process with its PID starts clean', () => {
    const labeler = new RequestLabeler({ maxHosts: 10, maxPrograms: 10, response: false });
    labeler.attached(fakeProcess(10, '/bin/a', 'example.test/a'), 0);
    labeler.exitedAt(10, 1_000);
    expect(labeler.labels(fakeRequest({ pid: 10, url: 'http://x/' })).labels.program).toBe('a');
    labeler.attached(fakeProcess(11), 61_000);
    expect(labeler.labels(fakeRequest({ pid: 10, url: 'http://x/' })).labels.program).toBe('unknown');
    labeler.attached(fakeProcess(10, '/bin/b', 'example.test/b'), 62_000);
    expect(labeler.labels(fakeRequest({ pid: 10, url: 'http://x/' })).labels).toMatchObject({
      program: 'b',
      module: 'example.test/b',
    });
  });

  it('folds programs past the limit into "other"', () => {
    const labeler = new RequestLabeler({ maxHosts: 10, maxPrograms: 1, response: false });
    labeler.attached(fakeProcess(1, '/bin/a', 'm/a'));
    labeler.attached(fakeProcess(2, '/bin/b', 'm/b'));
    expect(labeler.labels(fakeRequest({ pid: 2, url: 'http://x/' })).labels).toMatchObject({
      program: 'other',
      module: 'other',
    });
  });
});

describe('RequestLabeler memo', () => {
  it('gives one key per label set and counts every folded occurrence', () => {
    const labeler = new RequestLabeler({ maxHosts: 1, maxPrograms: 10, response: true });
    labeler.attached(fakeProcess(1));
    const a = labeler.labels(fakeRequest({ pid: 1, url: 'http://a.test/x?q=1', status: 200 }));
    const a2 = labeler.labels(fakeRequest({ pid: 1, url: 'http://a.test/y', status: 200 }));
    const b = labeler.labels(fakeRequest({ pid: 1, url: 'http://b.test/', status: 200 }));
    labeler.labels(fakeRequest({ pid: 1, url: 'http://c.test/', status: 200 }));
    labeler.labels(fakeRequest({ pid: 1, url: 'http://b.test/z', status: 200 }));
    expect(a2.key).toBe(a.key);
    expect(a.labels).toEqual({
      method: 'GET',
      host: 'a.test',
      status: '200',
      program: 'orders',
      module: 'example.test/orders',
    });
    expect(b.labels.host).toBe('other');
    expect(labeler.hostsFolded).toBe(3);
  });
});
