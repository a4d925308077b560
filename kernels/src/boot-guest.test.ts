import { describe, expect, it } from 'vitest';
import { qemuCommand } from './boot-guest.js';

const options = { kernel: '/k/vmlinuz', initramfs: '/k/initramfs.cpio', dir: '/k', timeoutMs: 1 };

describe('qemuCommand', () => {
  it('boots amd64 on qemu-system-x86_64 with the results on the second serial port', () => {
    const { binary, args } = qemuCommand({ ...options, arch: 'amd64' }, '/k/results.jsonl');
    expect(binary).toBe('qemu-system-x86_64');
    expect(args.join(' ')).toContain('-cpu max');
    expect(args.join(' ')).toContain('console=ttyS0 ');
    expect(args.slice(-4)).toEqual(['-serial', 'stdio', '-serial', 'file:/k/results.jsonl']);
  });

  it('boots arm64 on the virt machine, console on its UART, results on a virtio console', () => {
    const { binary, args } = qemuCommand({ ...options, arch: 'arm64' }, '/k/results.jsonl');
    expect(binary).toBe('qemu-system-aarch64');
    expect(args.slice(0, 4)).toEqual(['-M', 'virt', '-cpu', 'cortex-a72']);
    expect(args.join(' ')).toContain('console=ttyAMA0 ');
    expect(args.filter((a) => a === '-serial')).toHaveLength(1);
    expect(args.slice(-6)).toEqual([
      '-device',
      'virtio-serial-pci',
      '-chardev',
      'file,id=hwresults,path=/k/results.jsonl',
      '-device',
      'virtconsole,chardev=hwresults',
    ]);
  });
});
