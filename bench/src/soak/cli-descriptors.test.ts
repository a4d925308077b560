import { describe, expect, it } from 'vitest';
import { countFdKinds } from './cli-descriptors.js';

describe('countFdKinds', () => {
  it('sorts /proc/<pid>/fd targets into links, perf events, maps, programs, files, /proc files and the rest', () => {
    expect(
      countFdKinds([
        '/dev/null',
        'pipe:[132864]',
        'anon_inode:bpf_link',
        'anon_inode:bpf_link',
        'anon_inode:[perf_event]',
        'anon_inode:bpf-map',
        'anon_inode:bpf-prog',
        'anon_inode:[eventpoll]',
        'anon_inode:btf',
        '/tmp/soak/requests.fifo',
        '/work/test-fixtures/out/go1.24/default/client',
        '/proc/4242/stat',
        'socket:[99]',
      ]),
    ).toEqual({ total: 13, bpfLinks: 2, perfEvents: 1, bpfMaps: 1, bpfPrograms: 1, files: 2, proc: 1, other: 5 });
  });
});
