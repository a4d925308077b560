import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { Namespace, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { parseCliArgs } from './args.js';

const deploy = (...path: string[]) => readFileSync(join(repoRoot, 'deploy', ...path), 'utf8');
/** The set docs/privileges.md measures: what a full trace needs, no more (hold's CAP_KILL is not used). */
const traceCapabilities = ['BPF', 'PERFMON', 'SYS_ADMIN', 'SYS_PTRACE'];

const manifests = () => parseAllDocuments(deploy('kubernetes', 'daemonset.yaml')).map((d) => d.toJS());
const models: Record<string, new (data: never) => { validate(): void }> = { Namespace, ServiceAccount, DaemonSet };

describe('deploy/kubernetes/daemonset.yaml', () => {
  it('is valid against the Kubernetes API schema (kubernetes-models)', () => {
    const docs = manifests();
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'DaemonSet']);
    for (const doc of docs) expect(() => new models[doc.kind]!(doc as never).validate(), doc.kind).not.toThrow();
  });

  it('the schema check does fail on a wrong manifest', () => {
    const daemonSet = manifests()[2];
    daemonSet.spec.template.spec.hostPID = 'yes';
    expect(() => new DaemonSet(daemonSet).validate()).toThrow(/hostPID/);
  });

  it('grants exactly the capabilities the privileges tests prove, in the host PID namespace, with limits', () => {
    const pod = manifests()[2].spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: traceCapabilities },
    });
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(container.volumeMounts).toEqual([{ name: 'btf', mountPath: '/sys/kernel/btf', readOnly: true }]);
  });

  it('runs a command line the CLI accepts, serving the port it declares', () => {
    const [container] = manifests()[2].spec.template.spec.containers;
    const args = parseCliArgs(container.args);
    expect(args).toMatchObject({ command: 'trace', all: true, response: true, quiet: true });
    expect(args.command === 'trace' && args.metrics?.port).toBe(container.ports[0].containerPort);
  });
});

describe('deploy/Containerfile and deploy/systemd/httpwatcher.service', () => {
  it('the image default command is one the CLI accepts', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(deploy('Containerfile'))![1]!;
    expect(parseCliArgs(JSON.parse(cmd))).toMatchObject({ command: 'trace', all: true, metrics: { port: 9464 } });
  });

  it('the unit gives a non-root user the same capabilities as ambient ones, and a command line the CLI accepts', () => {
    const unit = deploy('systemd', 'httpwatcher.service');
    const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];
    expect(value('User')).toBe('httpwatcher');
    const caps = traceCapabilities.map((c) => `CAP_${c}`).join(' ');
    expect([value('AmbientCapabilities'), value('CapabilityBoundingSet')]).toEqual([caps, caps]);
    expect(readFileSync(join(repoRoot, 'docs', 'privileges.md'), 'utf8')).toContain(caps);
    const argv = value('ExecStart')!.split(' ');
    expect(argv.slice(0, 2)).toEqual([
      '/usr/bin/node',
      '/opt/httpwatcher/node_modules/@httpwatcher/cli/bin/httpwatcher.js',
    ]);
    expect(parseCliArgs(argv.slice(2))).toMatchObject({ command: 'trace', all: true, metrics: { host: '127.0.0.1' } });
  });
});
