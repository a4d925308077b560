import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { describe, expect, it } from 'vitest';
import { kernelFeatures, loadAddon, openTracer, packageRoot } from './index.js';

describe('native addon', () => {
  it('links libbpf statically (ldd lists no libbpf)', () => {
    const addon = join(packageRoot, 'build', 'Release', 'httpwatcher_native.node');
    const deps = execFileSync('ldd', [addon], { encoding: 'utf8' });
    expect(deps).toContain('libelf');
    expect(deps).not.toContain('libbpf');
    expect(loadAddon().libbpfVersion).toBe('v1.5');
  });

  it.runIf(runBpfTests)('loads the BPF program, reports zeroed counters and closes idempotently', () => {
    const tracer = openTracer();
    expect(tracer.counters()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(tracer.linkCount()).toBe(0);
    expect(tracer.deleteTraced(123456)).toBe(false);
    tracer.close();
    tracer.close();
    expect(() => tracer.counters()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });

  it.runIf(runBpfTests)('rejects a config buffer of the wrong size with a RangeError', () => {
    const tracer = openTracer();
    try {
      expect(() => tracer.setTraced(1, Buffer.alloc(3))).toThrow(RangeError);
    } finally {
      tracer.close();
    }
  });

  it.runIf(runBpfTests)('reads and writes the shared maps by name, with sizes checked against the map', () => {
    const tracer = openTracer();
    try {
      const key = Buffer.alloc(16, 1); // struct hw_binary_key
      tracer.updateElem('watched', key, Buffer.alloc(8)); // struct hw_watch
      expect(tracer.countElems('watched')).toBe(1);
      expect(tracer.deleteElem('watched', key)).toBe(true);
      expect(tracer.deleteElem('watched', key)).toBe(false);
      expect(tracer.countElems('watched')).toBe(0);
      expect(tracer.countElems('exec_policy')).toBe(3); // an array: its capacity
      expect(() => tracer.updateElem('watched', Buffer.alloc(4), Buffer.alloc(8))).toThrow(RangeError);
      expect(() => tracer.updateElem('watched', key, Buffer.alloc(9))).toThrow(RangeError);
      expect(() => tracer.countElems('events' as never)).toThrow(RangeError);
    } finally {
      tracer.close();
    }
  });

  it.runIf(runBpfTests)('kernelFeatures() finds everything the program needs on this kernel, and the release', () => {
    const report = kernelFeatures();
    expect(report.release).toBe(release());
    expect(report.features).toEqual({
      btf: true,
      uprobes: true,
      ringbuf: true,
      bpf_probe_read_user: true,
      bpf_ringbuf_output: true,
      bpf_ringbuf_query: true,
      bpf_get_current_task_btf: true,
      bpf_get_attach_cookie: true,
      bpf_loop: true,
    });
  });

  it.runIf(runBpfTests)(
    'kernelFeatures() reports no BTF when /sys/kernel/btf/vmlinux is empty (own mount namespace)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'no-btf-'));
      const empty = join(dir, 'vmlinux');
      writeFileSync(empty, '');
      try {
        const script = `import('${join(packageRoot, 'dist', 'index.js')}').then((m) => console.log(JSON.stringify(m.kernelFeatures().features)))`;
        const out = execFileSync(
          'unshare',
          [
            '--mount',
            '--propagation',
            'private',
            'sh',
            '-c',
            `mount --bind "$0" /sys/kernel/btf/vmlinux && exec "$1" -e "$2"`,
            empty,
            process.execPath,
            script,
          ],
          { encoding: 'utf8' },
        );
        expect(JSON.parse(out)).toMatchObject({ btf: false, ringbuf: true, bpf_loop: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
