import { readdirSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  holdDeniedMessage,
  initDeniedMessage,
  loadRefusedMessage,
  privilegeAdvice,
  readProcessDeniedMessage,
  uprobeRefusedMessage,
} from './permission-advice.js';
import { Snooper } from './snooper.js';
import { FakeProcesses, FakeTracer, fakeBinding } from './test-support/fake-tracer.js';
import { SnooperError } from './snooper-error.js';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { capabilitiesOf, uprobesNeedSysAdmin } from './tracing-capabilities.js';

const fixedKernel = '6.18.44';
const bpfPerfmon = capabilitiesOf(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_PTRACE']);
const everyTracingCap = capabilitiesOf(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE']);

/** A recipe for file capabilities (`setcap cap_bpf,cap_perfmon+ep …`): never safe advice for node. */
const unsafeAdvice = /setcap\s+['"]?cap_|\bcap_[a-z_]+(,cap_[a-z_]+)*[+=]e/i;

const deniedCode = (error: unknown): string | undefined =>
  SnooperError.isInstance(error) ? error.code : `not a SnooperError: ${String(error)}`;

const messages: Array<[string, string]> = [
  ['privilegeAdvice', privilegeAdvice()],
  ['initDeniedMessage', initDeniedMessage(['CAP_SYS_ADMIN'], fixedKernel)],
  ['loadRefusedMessage', loadRefusedMessage('EPERM')],
  ['uprobeRefusedMessage', uprobeRefusedMessage('EACCES', bpfPerfmon, fixedKernel)],
  ['readProcessDeniedMessage', readProcessDeniedMessage(42, 'EACCES')],
  ['holdDeniedMessage', holdDeniedMessage(['CAP_KILL'])],
];

describe('permission advice is safe to follow', () => {
  it.each(messages)('%s gives no file capabilities and names the dedicated-service way', (_name, message) => {
    expect(message).not.toMatch(unsafeAdvice);
    expect(message).not.toContain('setcap');
    expect(message).toContain('Run it as root, or as a dedicated service whose ambient capabilities are exactly');
  });

  it('names the whole measured set, the same in the systemd settings', () => {
    expect(privilegeAdvice()).toBe(
      'Run it as root, or as a dedicated service whose ambient capabilities are exactly ' +
        'CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_PTRACE (systemd: AmbientCapabilities=CAP_BPF CAP_PERFMON ' +
        'CAP_SYS_ADMIN CAP_SYS_PTRACE and CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_PTRACE); ' +
        'never give file capabilities to the node binary, which every local user can run.',
    );
  });

  it('no source, README or doc of the repository advises file capabilities', () => {
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (['node_modules', 'dist', 'deps', 'out', '.git', 'api'].includes(name)) continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) visit(path);
        else if (/\.(ts|mjs|cc|h|md)$/.test(name) && !name.endsWith('.test.ts')) {
          if (unsafeAdvice.test(readFileSync(path, 'utf8'))) offenders.push(path);
        }
      }
    };
    for (const dir of ['packages', 'apps', 'docs', 'bpf']) visit(join(repoRoot, dir));
    for (const file of ['README.md', 'CONTRIBUTING.md']) {
      if (unsafeAdvice.test(readFileSync(join(repoRoot, file), 'utf8'))) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});

describe('permission messages name the requirement of the step that failed', () => {
  it('init: the capabilities missing on this kernel, and why uprobes need CAP_SYS_ADMIN', () => {
    expect(initDeniedMessage(['CAP_SYS_ADMIN'], fixedKernel)).toMatch(
      /^tracing needs root, or CAP_BPF and CAP_PERFMON to load the BPF program, CAP_SYS_ADMIN to create uprobes, and CAP_SYS_PTRACE for other users' processes; this process \(uid \d+\) lacks CAP_SYS_ADMIN \(Linux 6\.18\.44 creates uprobes only for CAP_SYS_ADMIN, since the fix for CVE-2025-38466\)\. Run it as root/,
    );
    expect(initDeniedMessage(['CAP_BPF'], '5.15.0-140-generic')).toMatch(
      /CAP_SYS_ADMIN to create uprobes on kernels carrying the fix for CVE-2025-38466, .* lacks CAP_BPF\. Run it as root/,
    );
    expect(initDeniedMessage(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN'], fixedKernel)).toContain(
      'lacks CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (Linux 6.18.44 creates',
    );
  });

  it('uprobe refused without CAP_SYS_ADMIN: names it, on a release known to need it and on one not known', () => {
    expect(uprobeRefusedMessage('EACCES', bpfPerfmon, fixedKernel)).toMatch(
      /^the kernel refused to create the uprobe \(EACCES\): Linux 6\.18\.44 creates uprobes only for CAP_SYS_ADMIN, since the fix for CVE-2025-38466; this process \(uid \d+\) lacks CAP_SYS_ADMIN\. Run it as root/,
    );
    expect(uprobeRefusedMessage('EACCES', bpfPerfmon, '5.15.0-140-generic')).toMatch(
      /kernels carrying the fix for CVE-2025-38466 \(Linux 6\.16, and stable releases since July 2025\) create uprobes only for CAP_SYS_ADMIN; this process \(uid \d+\) lacks CAP_SYS_ADMIN\./,
    );
  });

  it('uprobe refused with CAP_SYS_ADMIN: says no capability is missing', () => {
    const message = uprobeRefusedMessage('EACCES', everyTracingCap, fixedKernel);
    expect(message).toMatch(/has CAP_SYS_ADMIN: a security module \(SELinux, AppArmor\), a container or the file's/);
    expect(message).not.toContain('lacks');
  });

  it('/proc/<pid>/exe refused: CAP_SYS_PTRACE', () => {
    expect(readProcessDeniedMessage(42, 'EACCES')).toMatch(
      /^pid 42: cannot read \/proc\/42\/exe \(EACCES\): reading a process of another user, or one holding capabilities that this process \(uid \d+\) lacks, needs CAP_SYS_PTRACE\./,
    );
  });

  it('hold: CAP_KILL, added to the service set', () => {
    expect(holdDeniedMessage(['CAP_KILL'])).toContain('must resume each one: that needs CAP_KILL, which this process');
    expect(holdDeniedMessage(['CAP_KILL'])).toContain(
      'AmbientCapabilities=CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_KILL',
    );
  });
});

describe('Snooper privilege checks (fake binding, capabilities given)', () => {
  it('init refuses CAP_BPF + CAP_PERFMON alone exactly when this kernel creates uprobes only for CAP_SYS_ADMIN', async () => {
    const tracer = new FakeTracer();
    const result = await Snooper.init({ binding: fakeBinding(tracer), capabilities: bpfPerfmon }).then(
      (snoop) => snoop.close().then(() => 'ok'),
      (error: unknown) => error,
    );
    if (uprobesNeedSysAdmin(release())) {
      expect(deniedCode(result)).toBe('PERMISSION_DENIED');
      expect((result as Error).message).toContain(`Linux ${release()} creates uprobes only for CAP_SYS_ADMIN`);
      expect((result as Error).message).toMatch(/lacks CAP_SYS_ADMIN \(Linux .*\)\. Run it as root/);
    } else {
      expect(result).toBe('ok');
    }
  });

  it('init refuses with every capability missing, before loading anything', async () => {
    let opened = 0;
    const binding = {
      ...fakeBinding(new FakeTracer()),
      openTracer: () => {
        opened++;
        return new FakeTracer();
      },
    };
    const error = await Snooper.init({ binding, capabilities: 0n }).catch((e) => e);
    expect(deniedCode(error)).toBe('PERMISSION_DENIED');
    expect((error as Error).message).toMatch(/lacks CAP_BPF, CAP_PERFMON( and CAP_SYS_ADMIN \(.*\))?\. Run it as root/);
    expect(opened).toBe(0);
  });

  it('attachAll({ hold }) without CAP_KILL refuses before the exec policy can stop anything', async () => {
    const tracer = new FakeTracer();
    const world = new FakeProcesses();
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: world.resolve,
      processes: world,
      capabilities: everyTracingCap,
    });
    const error = await snoop.attachAll({ hold: true }).catch((e) => e);
    expect(deniedCode(error)).toBe('PERMISSION_DENIED');
    expect((error as Error).message).toContain('that needs CAP_KILL');
    expect(tracer.maps.get('exec_policy')!.size).toBe(0);
    await snoop.attachAll();
    expect(tracer.maps.get('exec_policy')!.size).toBe(3); // without hold it goes on
    await snoop.close();
  });

  it('a refused uprobe attach is PERMISSION_DENIED with the uprobe message, and leaves nothing behind', async () => {
    const tracer = new FakeTracer();
    const world = new FakeProcesses();
    const snoop = await Snooper.init({
      binding: fakeBinding(tracer),
      resolveProcessBinary: world.resolve,
      processes: world,
    });
    world.start(100, '5000');
    tracer.failNextAttach = Object.assign(new Error('attaching a uprobe to /proc/100/exe failed: Permission denied'), {
      code: 'EACCES',
      operation: 'attaching a uprobe to /proc/100/exe',
    });
    const error = await snoop.attach(100).catch((e) => e);
    expect(deniedCode(error)).toBe('PERMISSION_DENIED');
    expect((error as Error).message).toMatch(/^pid 100: the kernel refused to create the uprobe \(EACCES\)/);
    expect(snoop.kernelEntries()).toEqual({ tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 });
    await snoop.close();
  });
});
