import { describe, expect, it } from 'vitest';
import { dumpHeader } from '../test-support/header-dump.js';
import * as abi from './bpf-abi.js';

/** The lifecycle part of bpf/httpwatcher.h, dumped by the host compiler. */
function cLifecycleLayout(): Record<string, number> {
  const offsets: Array<[string, string]> = [
    ['hw_traced', 'start_ticks'],
    ['hw_traced', 'binary_id'],
    ['hw_traced', 'config'],
    ['hw_binary_key', 'dev'],
    ['hw_binary_key', 'ino'],
    ['hw_probe_site', 'binary_id'],
    ['hw_probe_site', 'code_offset'],
    ['hw_watch', 'binary_id'],
    ['hw_watch', 'parent_tgid'],
    ['hw_ignore', 'mtime_sec'],
    ['hw_ignore', 'mtime_nsec'],
    ['hw_held', 'start_ticks'],
    ['hw_held', 'held_ktime_ns'],
    ['hw_lifecycle', 'ktime_ns'],
    ['hw_lifecycle', 'dev'],
    ['hw_lifecycle', 'ino'],
    ['hw_lifecycle', 'tgid'],
    ['hw_lifecycle', 'ppid'],
    ['hw_lifecycle', 'ns_tgid'],
    ['hw_lifecycle', 'exit_code'],
    ['hw_lifecycle', 'binary_id'],
    ['hw_lifecycle', 'flags'],
    ['hw_lifecycle', 'kind'],
    ['hw_lifecycle', 'start_ticks'],
    ['hw_lifecycle', 'mtime_sec'],
    ['hw_lifecycle', 'mtime_nsec'],
  ];
  const sizes = ['hw_traced', 'hw_probe_site', 'hw_binary_key', 'hw_watch', 'hw_ignore', 'hw_held', 'hw_lifecycle'];
  const constants = [
    'HW_USER_HZ',
    'HW_MAX_SITES_PER_BINARY',
    'HW_EXEC_WATCHED_ONLY',
    'HW_EXEC_REPORT_UNKNOWN',
    'HW_EXEC_HOLD_UNKNOWN',
    'HW_EXEC_POLICY_SLOT_MODE',
    'HW_EXEC_POLICY_SLOT_EXEMPT_PARENT',
    'HW_EXEC_POLICY_SLOT_HOLD_SUBTREE',
    'HW_EXEC_POLICY_SLOTS',
    'HW_KIND_EXIT',
    'HW_KIND_EXEC',
    'HW_LF_TRACED',
    'HW_LF_HELD',
    'HW_LF_TRACED_PROCS_FULL',
    'HW_LF_REPLACED',
  ];
  return dumpHeader([
    ...offsets.map(([t, f]) => `printf("\\"${t}.${f}\\": %zu,\\n", offsetof(struct ${t}, ${f}));`),
    ...sizes.map((t) => `printf("\\"sizeof.${t}\\": %zu,\\n", sizeof(struct ${t}));`),
    ...constants.map((c) => `printf("\\"${c}\\": %d,\\n", (int)${c});`),
  ]);
}

describe('bpf-abi mirrors the lifecycle part of bpf/httpwatcher.h', () => {
  const c = cLifecycleLayout();

  it('has the same traced_procs value, binary key, watch and ignore layouts', () => {
    expect(abi.tracedLayout).toEqual({
      startTicks: c['hw_traced.start_ticks'],
      binaryId: c['hw_traced.binary_id'],
      config: c['hw_traced.config'],
      size: c['sizeof.hw_traced'],
    });
    expect(abi.binaryKeyLayout).toEqual({
      size: c['sizeof.hw_binary_key'],
      dev: c['hw_binary_key.dev'],
      ino: c['hw_binary_key.ino'],
    });
    expect(abi.probeSiteLayout).toEqual({
      size: c['sizeof.hw_probe_site'],
      binaryId: c['hw_probe_site.binary_id'],
      codeOffset: c['hw_probe_site.code_offset'],
    });
    expect(abi.MAX_SITES_PER_BINARY).toBe(c.HW_MAX_SITES_PER_BINARY);
    expect(abi.watchLayout).toEqual({
      size: c['sizeof.hw_watch'],
      binaryId: c['hw_watch.binary_id'],
      parentTgid: c['hw_watch.parent_tgid'],
    });
    expect(abi.heldLayout).toEqual({
      size: c['sizeof.hw_held'],
      startTicks: c['hw_held.start_ticks'],
      heldKtimeNs: c['hw_held.held_ktime_ns'],
    });
    expect(abi.ignoreLayout).toEqual({
      size: c['sizeof.hw_ignore'],
      mtimeSec: c['hw_ignore.mtime_sec'],
      mtimeNsec: c['hw_ignore.mtime_nsec'],
    });
  });

  it('has the same lifecycle record layout', () => {
    const l = abi.lifecycleLayout;
    const field = (f: string): number => c[`hw_lifecycle.${f}`] as number;
    expect(l).toEqual({
      size: c['sizeof.hw_lifecycle'],
      ktimeNs: field('ktime_ns'),
      dev: field('dev'),
      ino: field('ino'),
      tgid: field('tgid'),
      ppid: field('ppid'),
      nsTgid: field('ns_tgid'),
      exitCode: field('exit_code'),
      binaryId: field('binary_id'),
      flags: field('flags'),
      kind: field('kind'),
      startTicks: field('start_ticks'),
      mtimeSec: field('mtime_sec'),
      mtimeNsec: field('mtime_nsec'),
    });
    expect(l.kind).toBe(abi.eventLayout.kind);
    expect([l.tgid, l.nsTgid]).toEqual([abi.eventLayout.tgid, abi.eventLayout.nsTgid]);
  });

  it('has the same policy, kind and flag values', () => {
    expect(abi.USER_HZ).toBe(c.HW_USER_HZ);
    expect(abi.ExecPolicy).toEqual({
      watchedOnly: c.HW_EXEC_WATCHED_ONLY,
      reportUnknown: c.HW_EXEC_REPORT_UNKNOWN,
      holdUnknown: c.HW_EXEC_HOLD_UNKNOWN,
    });
    expect(abi.ExecPolicySlot).toEqual({
      mode: c.HW_EXEC_POLICY_SLOT_MODE,
      exemptParent: c.HW_EXEC_POLICY_SLOT_EXEMPT_PARENT,
      holdSubtree: c.HW_EXEC_POLICY_SLOT_HOLD_SUBTREE,
    });
    expect(Object.keys(abi.ExecPolicySlot)).toHaveLength(c.HW_EXEC_POLICY_SLOTS!);
    expect(abi.LifecycleKind).toEqual({ exit: c.HW_KIND_EXIT, exec: c.HW_KIND_EXEC });
    expect(abi.LifecycleFlag).toEqual({
      traced: c.HW_LF_TRACED,
      held: c.HW_LF_HELD,
      tracedProcsFull: c.HW_LF_TRACED_PROCS_FULL,
      replaced: c.HW_LF_REPLACED,
    });
    expect(Object.values(abi.LifecycleKind)).not.toContain(abi.EventKind.request);
  });
});
