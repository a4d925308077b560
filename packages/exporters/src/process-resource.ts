import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { AttachedProcess } from 'httpwatcher';

/** Reads at most `limit` bytes of a /proc file; undefined when it cannot be read (the process is gone). */
function readBounded(path: string, limit: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(limit);
    let length = 0;
    for (let n = 1; n > 0 && length < limit; length += n) n = readSync(fd, buffer, length, limit - length, null);
    return buffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const cgroupLimit = 64 * 1024;
const environLimit = 256 * 1024;

/** Container runtimes name a container's cgroup after its 64-hex id (docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>, /docker/<id>). */
export function containerIdOf(cgroup: string): string | undefined {
  return [...cgroup.matchAll(/(?:^|[/\-:])([0-9a-f]{64})(?:\.scope)?(?=$|\n|\/)/gm)].at(-1)?.[1];
}

/** The kubelet puts a pod's containers under kubepods[-<class>]-pod<uid>.slice (systemd) or kubepods/<class>/pod<uid> (cgroupfs). */
export function podUidOf(cgroup: string): string | undefined {
  const m =
    /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?(?=$|\n|\/)/m.exec(
      cgroup,
    );
  return m?.[1]?.replaceAll('_', '-');
}

/** Only these variables are taken from a traced process's environment; nothing else of it is kept. */
const environKeys = [
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'KUBERNETES_SERVICE_HOST',
  'HOSTNAME',
  'POD_NAMESPACE',
  'POD_NAME',
];

export function environOf(environ: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of environ.split('\0')) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    if (eq > 0 && environKeys.includes(key)) found.set(key, entry.slice(eq + 1));
  }
  return found;
}

/** `key=value,key=value` as OTEL_RESOURCE_ATTRIBUTES writes them (values percent-encoded). */
function resourceAttributesOf(text: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const pair of (text ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      found.set(pair.slice(0, eq).trim(), decodeURIComponent(pair.slice(eq + 1).trim()));
    } catch {
      // A malformed escape: that pair is ignored, as the specification says.
    }
  }
  return found;
}

/** A Kubernetes object name (DNS subdomain): the only shape taken for pod and namespace names. */
const k8sName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A service name a program chose: printable, bounded. */
const serviceName = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/**
 * The resource of a traced process's spans, read from /proc without any API server: the process,
 * its service (OTEL_SERVICE_NAME in its environment, else the Go main module path), its
 * container (cgroup), and its pod (cgroup, HOSTNAME under Kubernetes, POD_NAMESPACE or the
 * program's own OTEL_RESOURCE_ATTRIBUTES). Every value taken from the process is checked
 * against the shape its attribute has: a hostile program can write anything there.
 */
export function processResource(
  p: Pick<AttachedProcess, 'pid' | 'exe' | 'mainModule'>,
  procRoot = '/proc',
): Attributes {
  const cgroup = readBounded(`${procRoot}/${p.pid}/cgroup`, cgroupLimit) ?? '';
  const env = environOf(readBounded(`${procRoot}/${p.pid}/environ`, environLimit) ?? '');
  const declared = resourceAttributesOf(env.get('OTEL_RESOURCE_ATTRIBUTES'));
  const named = env.get('OTEL_SERVICE_NAME') ?? declared.get('service.name');
  const attributes: Attributes = {
    'service.name': named !== undefined && serviceName.test(named) ? named : p.mainModule,
    'process.pid': p.pid,
    'process.executable.path': p.exe,
    'process.executable.name': basename(p.exe),
  };
  const container = containerIdOf(cgroup);
  if (container) attributes['container.id'] = container;
  const podUid = podUidOf(cgroup);
  if (podUid) attributes['k8s.pod.uid'] = podUid;
  const inKubernetes = podUid !== undefined || env.has('KUBERNETES_SERVICE_HOST');
  const pod = declared.get('k8s.pod.name') ?? env.get('POD_NAME') ?? (inKubernetes ? env.get('HOSTNAME') : undefined);
  if (pod && k8sName.test(pod)) attributes['k8s.pod.name'] = pod;
  const namespace = declared.get('k8s.namespace.name') ?? env.get('POD_NAMESPACE');
  if (namespace && k8sName.test(namespace)) attributes['k8s.namespace.name'] = namespace;
  return attributes;
}
