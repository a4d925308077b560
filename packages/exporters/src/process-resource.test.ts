import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerIdOf, podUidOf, processResource } from './process-resource.js';

const id = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);

function fakeProc(pid: number, files: { cgroup?: string; environ?: Record<string, string> }): string {
  const root = mkdtempSync(join(tmpdir(), 'hw-proc-'));
  mkdirSync(join(root, String(pid)));
  if (files.cgroup !== undefined) writeFileSync(join(root, String(pid), 'cgroup'), files.cgroup);
  if (files.environ)
    writeFileSync(
      join(root, String(pid), 'environ'),
      `${Object.entries(files.environ)
        .map(([k, v]) => `${k}=${v}`)
        .join('\0')}\0`,
    );
  return root;
}

const proc = { pid: 42, exe: '/app/orders', mainModule: 'example.test/orders' };

describe('processResource', () => {
  it('names the process and defaults service.name to the Go main module path', () => {
    const root = fakeProc(42, { cgroup: '0::/user.slice/session-1.scope\n', environ: { PATH: '/bin', SECRET: 'x' } });
    expect(processResource(proc, root)).toEqual({
      'service.name': 'example.test/orders',
      'process.pid': 42,
      'process.executable.path': '/app/orders',
      'process.executable.name': 'orders',
    });
  });

  it('reads container id and pod from the cgroup and environment (systemd driver)', () => {
    const root = fakeProc(42, {
      cgroup: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_0000_4000_8000_00000000abcd.slice/cri-containerd-${id}.scope\n`,
      environ: {
        KUBERNETES_SERVICE_HOST: '10.96.0.1',
        HOSTNAME: 'orders-7d9f8-xk2p1',
        POD_NAMESPACE: 'shop',
        OTEL_SERVICE_NAME: 'orders',
      },
    });
    expect(processResource(proc, root)).toMatchObject({
      'service.name': 'orders',
      'container.id': id,
      'k8s.pod.uid': '1b2c3d4e-0000-4000-8000-00000000abcd',
      'k8s.pod.name': 'orders-7d9f8-xk2p1',
      'k8s.namespace.name': 'shop',
    });
  });

  it('takes pod and namespace from the program own OTEL_RESOURCE_ATTRIBUTES', () => {
    const root = fakeProc(42, {
      cgroup: `0::/docker/${id}\n`,
      environ: { OTEL_RESOURCE_ATTRIBUTES: 'k8s.namespace.name=billing,k8s.pod.name=inv-1,service.name=invoices' },
    });
    expect(processResource(proc, root)).toMatchObject({
      'service.name': 'invoices',
      'container.id': id,
      'k8s.pod.name': 'inv-1',
      'k8s.namespace.name': 'billing',
    });
  });

  it('drops values that do not have their attribute shape (a hostile environment)', () => {
    const root = fakeProc(42, {
      environ: {
        KUBERNETES_SERVICE_HOST: 'x',
        HOSTNAME: 'Evil\x1b[31m',
        POD_NAMESPACE: '../etc',
        OTEL_SERVICE_NAME: '\n',
      },
    });
    const attributes = processResource(proc, root);
    expect(attributes['service.name']).toBe('example.test/orders');
    expect(attributes).not.toHaveProperty('k8s.pod.name');
    expect(attributes).not.toHaveProperty('k8s.namespace.name');
  });

  it('gives the basic attributes when the process is gone', () => {
    expect(processResource(proc, fakeProc(1, {}))).toEqual({
      'service.name': 'example.test/orders',
      'process.pid': 42,
      'process.executable.path': '/app/orders',
      'process.executable.name': 'orders',
    });
  });
});

describe('cgroup parsing', () => {
  it('finds ids of docker, containerd and cri-o, and pod uids of the cgroupfs driver', () => {
    expect(containerIdOf(`0::/system.slice/docker-${id}.scope`)).toBe(id);
    expect(containerIdOf(`0::/crio-${id}.scope`)).toBe(id);
    expect(containerIdOf('0::/user.slice')).toBeUndefined();
    expect(podUidOf(`12:pids:/kubepods/besteffort/pod1b2c3d4e-0000-4000-8000-00000000abcd/${id}`)).toBe(
      '1b2c3d4e-0000-4000-8000-00000000abcd',
    );
  });
});
