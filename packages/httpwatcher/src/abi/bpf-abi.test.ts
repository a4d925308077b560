import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';
import { describe, expect, it } from 'vitest';
import * as abi from './bpf-abi.js';

const header = join(repoRoot, 'bpf', 'httpwatcher.h');

/** Compiles bpf/httpwatcher.h with the host compiler and returns the C view of the layout. */
function cLayout(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-abi-'));
  const targetRows = abi.targetFields
    .map(
      ([name]) =>
        `  printf("\\"target.${name}\\": [%zu, %zu],\\n", offsetof(struct hw_target, ${name}), sizeof(((struct hw_target *)0)->${name}));`,
    )
    .join('\n');
  const source = `
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "${header}"
#define OFF(t, f) printf("\\"" #t "." #f "\\": %zu,\\n", offsetof(struct t, f))
int main(void) {
  printf("{\\n");
${targetRows}
  OFF(hw_event, ktime_ns); OFF(hw_event, goid); OFF(hw_event, request_ptr); OFF(hw_event, tgid);
  OFF(hw_event, tid); OFF(hw_event, ns_tgid); OFF(hw_event, flags); OFF(hw_event, truncated);
  OFF(hw_event, nheaders_total); OFF(hw_event, nheaders); OFF(hw_event, kind); OFF(hw_event, str_len); OFF(hw_event, binary_id);
  OFF(hw_header_entry, key_len); OFF(hw_header_entry, value_len); OFF(hw_header_entry, nvalues); OFF(hw_header_entry, flags);
  printf("\\"sizeof.hw_event\\": %zu, \\"sizeof.hw_header_entry\\": %zu, \\"sizeof.hw_target\\": %zu,\\n",
         sizeof(struct hw_event), sizeof(struct hw_header_entry), sizeof(struct hw_target));
  printf("\\"HW_MAX_STR\\": %d, \\"HW_MAX_HEADERS\\": %d, \\"HW_MAX_KEY\\": %d, \\"HW_MAX_VALUE\\": %d, \\"HW_MAX_VALUES\\": %d, \\"HW_NSTR\\": %d,\\n",
         HW_MAX_STR, HW_MAX_HEADERS, HW_MAX_KEY, HW_MAX_VALUE, HW_MAX_VALUES, HW_NSTR);
  printf("\\"HW_STR_REQUEST_HOST\\": %d, \\"HW_STR_RAW_QUERY\\": %d, \\"HW_KIND_REQUEST\\": %d,\\n", HW_STR_REQUEST_HOST, HW_STR_RAW_QUERY, HW_KIND_REQUEST);
  printf("\\"HW_F_USERINFO\\": %d, \\"HW_F_FORCE_QUERY\\": %d, \\"HW_F_HEADERS_TRUNCATED\\": %d, \\"HW_F_HEADERS_INCOMPLETE\\": %d, \\"HW_F_READ_ERROR\\": %d, \\"HW_F_NO_URL\\": %d,\\n",
         HW_F_USERINFO, HW_F_FORCE_QUERY, HW_F_HEADERS_TRUNCATED, HW_F_HEADERS_INCOMPLETE, HW_F_READ_ERROR, HW_F_NO_URL);
  printf("\\"HW_HF_KEY_TRUNCATED\\": %d, \\"HW_HF_VALUE_TRUNCATED\\": %d, \\"HW_ABI_STACK\\": %d, \\"HW_MAP_SWISS\\": %d,\\n", HW_HF_KEY_TRUNCATED, HW_HF_VALUE_TRUNCATED, HW_ABI_STACK, HW_MAP_SWISS);
  printf("\\"HW_HF_KEY_IN_IMAGE\\": %d, \\"HW_HF_VALUE_IN_IMAGE\\": %d, \\"sizeof.ro_lo\\": %zu,\\n", HW_HF_KEY_IN_IMAGE, HW_HF_VALUE_IN_IMAGE, sizeof(((struct hw_target *)0)->ro_lo));
  printf("\\"HW_CNT_EVENTS\\": %d, \\"HW_CNT_RING_DROPS\\": %d, \\"HW_CNT_READ_ERRORS\\": %d, \\"HW_CNT_HITS\\": %d, \\"HW_NCOUNTERS\\": %d\\n}\\n",
         HW_CNT_EVENTS, HW_CNT_RING_DROPS, HW_CNT_READ_ERRORS, HW_CNT_HITS, HW_NCOUNTERS);
  return 0;
}`;
  writeFileSync(join(dir, 'dump.c'), source);
  execFileSync('cc', ['-o', join(dir, 'dump'), join(dir, 'dump.c')]);
  return JSON.parse(execFileSync(join(dir, 'dump'), { encoding: 'utf8' })) as Record<string, number>;
}

describe('bpf-abi mirrors bpf/httpwatcher.h', () => {
  const c = cLayout();

  it('has the same limits and string fields', () => {
    expect([abi.MAX_STR, abi.MAX_HEADERS, abi.MAX_KEY, abi.MAX_VALUE, abi.MAX_VALUES]).toEqual([
      c.HW_MAX_STR,
      c.HW_MAX_HEADERS,
      c.HW_MAX_KEY,
      c.HW_MAX_VALUE,
      c.HW_MAX_VALUES,
    ]);
    expect(abi.stringFields.length).toBe(c.HW_NSTR);
    expect(abi.stringFields.indexOf('requestHost')).toBe(c.HW_STR_REQUEST_HOST);
    expect(abi.stringFields.indexOf('rawQuery')).toBe(c.HW_STR_RAW_QUERY);
  });

  it('has the same event record layout', () => {
    const e = abi.eventLayout;
    expect({
      size: e.size,
      ktimeNs: e.ktimeNs,
      goid: e.goid,
      requestPtr: e.requestPtr,
      tgid: e.tgid,
      tid: e.tid,
      nsTgid: e.nsTgid,
      flags: e.flags,
      truncated: e.truncated,
      nheadersTotal: e.nheadersTotal,
      nheaders: e.nheaders,
      kind: e.kind,
      strLen: e.strLen,
      binaryId: e.binaryId,
    }).toEqual({
      size: c['sizeof.hw_event'],
      ktimeNs: c['hw_event.ktime_ns'],
      goid: c['hw_event.goid'],
      requestPtr: c['hw_event.request_ptr'],
      tgid: c['hw_event.tgid'],
      tid: c['hw_event.tid'],
      nsTgid: c['hw_event.ns_tgid'],
      flags: c['hw_event.flags'],
      truncated: c['hw_event.truncated'],
      nheadersTotal: c['hw_event.nheaders_total'],
      nheaders: c['hw_event.nheaders'],
      kind: c['hw_event.kind'],
      strLen: c['hw_event.str_len'],
      binaryId: c['hw_event.binary_id'],
    });
    expect(abi.headerEntryLayout).toEqual({
      size: c['sizeof.hw_header_entry'],
      keyLen: c['hw_header_entry.key_len'],
      valueLen: c['hw_header_entry.value_len'],
      nvalues: c['hw_header_entry.nvalues'],
      flags: c['hw_header_entry.flags'],
    });
  });

  it('has the same flag, kind, ABI, map and counter values', () => {
    expect(abi.EventFlag).toEqual({
      userinfo: c.HW_F_USERINFO,
      forceQuery: c.HW_F_FORCE_QUERY,
      headersTruncated: c.HW_F_HEADERS_TRUNCATED,
      headersIncomplete: c.HW_F_HEADERS_INCOMPLETE,
      readError: c.HW_F_READ_ERROR,
      noUrl: c.HW_F_NO_URL,
    });
    expect(abi.HeaderFlag).toEqual({
      keyTruncated: c.HW_HF_KEY_TRUNCATED,
      valueTruncated: c.HW_HF_VALUE_TRUNCATED,
      keyInImage: c.HW_HF_KEY_IN_IMAGE,
      valueInImage: c.HW_HF_VALUE_IN_IMAGE,
    });
    expect(abi.IMAGE_OFFSET_BYTES).toBe(c['sizeof.ro_lo']);
    expect(abi.EventKind.request).toBe(c.HW_KIND_REQUEST);
    expect(abi.Abi.stack).toBe(c.HW_ABI_STACK);
    expect(abi.MapKindCode.swiss).toBe(c.HW_MAP_SWISS);
    expect(abi.counterIndex).toEqual({
      events: c.HW_CNT_EVENTS,
      ringDrops: c.HW_CNT_RING_DROPS,
      readErrors: c.HW_CNT_READ_ERRORS,
      hits: c.HW_CNT_HITS,
    });
    expect(Object.keys(abi.counterIndex).length).toBe(c.HW_NCOUNTERS);
  });

  it('has the same target configuration layout', () => {
    expect(abi.targetSize).toBe(c['sizeof.hw_target']);
    for (const [name, offset, size] of abi.targetFields) {
      expect([name, offset, size]).toEqual([name, ...(c[`target.${name}`] as unknown as number[])]);
    }
  });
});

/** The lifecycle part of bpf/httpwatcher.h, dumped by the host compiler. */
function cLifecycleLayout(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-abi-lifecycle-'));
  const offsets: Array<[string, string]> = [
    ['hw_traced', 'start_ticks'],
    ['hw_traced', 'binary_id'],
    ['hw_traced', 'target'],
    ['hw_binary_key', 'dev'],
    ['hw_binary_key', 'ino'],
    ['hw_watch', 'binary_id'],
    ['hw_watch', 'parent_tgid'],
    ['hw_ignore', 'mtime_sec'],
    ['hw_ignore', 'mtime_nsec'],
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
  const sizes = ['hw_traced', 'hw_binary_key', 'hw_watch', 'hw_ignore', 'hw_lifecycle'];
  const constants = [
    'HW_USER_HZ',
    'HW_EXEC_WATCHED_ONLY',
    'HW_EXEC_REPORT_UNKNOWN',
    'HW_EXEC_HOLD_UNKNOWN',
    'HW_KIND_EXIT',
    'HW_KIND_EXEC',
    'HW_LF_TRACED',
    'HW_LF_HELD',
    'HW_LF_TARGETS_FULL',
    'HW_LF_REPLACED',
  ];
  const lines = [
    ...offsets.map(([t, f]) => `  printf("\\"${t}.${f}\\": %zu,\\n", offsetof(struct ${t}, ${f}));`),
    ...sizes.map((t) => `  printf("\\"sizeof.${t}\\": %zu,\\n", sizeof(struct ${t}));`),
    ...constants.map((c) => `  printf("\\"${c}\\": %d,\\n", (int)${c});`),
  ];
  const source = `
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "${header}"
int main(void) {
  printf("{\\n");
${lines.join('\n')}
  printf("\\"end\\": 0}\\n");
  return 0;
}`;
  writeFileSync(join(dir, 'dump.c'), source);
  execFileSync('cc', ['-o', join(dir, 'dump'), join(dir, 'dump.c')]);
  return JSON.parse(execFileSync(join(dir, 'dump'), { encoding: 'utf8' })) as Record<string, number>;
}

describe('bpf-abi mirrors the lifecycle part of bpf/httpwatcher.h', () => {
  const c = cLifecycleLayout();

  it('has the same targets value, binary key, watch and ignore layouts', () => {
    expect(abi.tracedLayout).toEqual({
      startTicks: c['hw_traced.start_ticks'],
      binaryId: c['hw_traced.binary_id'],
      target: c['hw_traced.target'],
      size: c['sizeof.hw_traced'],
    });
    expect(abi.binaryKeyLayout).toEqual({
      size: c['sizeof.hw_binary_key'],
      dev: c['hw_binary_key.dev'],
      ino: c['hw_binary_key.ino'],
    });
    expect(abi.watchLayout).toEqual({
      size: c['sizeof.hw_watch'],
      binaryId: c['hw_watch.binary_id'],
      parentTgid: c['hw_watch.parent_tgid'],
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
    expect(abi.LifecycleKind).toEqual({ exit: c.HW_KIND_EXIT, exec: c.HW_KIND_EXEC });
    expect(abi.LifecycleFlag).toEqual({
      traced: c.HW_LF_TRACED,
      held: c.HW_LF_HELD,
      targetsFull: c.HW_LF_TARGETS_FULL,
      replaced: c.HW_LF_REPLACED,
    });
    expect(Object.values(abi.LifecycleKind)).not.toContain(abi.EventKind.request);
  });
});

/** The response part of bpf/httpwatcher.h, dumped by the host compiler. */
function cResponseLayout(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-abi-response-'));
  const fields = [
    'ktime_ns',
    'goid',
    'request_ptr',
    'tgid',
    'tid',
    'ns_tgid',
    'flags',
    'status',
    'kind',
    'start_ktime_ns',
  ];
  const constants = ['HW_KIND_RESPONSE', 'HW_RF_ERROR', 'HW_RF_NO_RESPONSE', 'HW_RF_READ_ERROR'];
  const lines = [
    ...fields.map((f) => `  printf("\\"${f}\\": %zu,\\n", offsetof(struct hw_response, ${f}));`),
    `  printf("\\"size\\": %zu,\\n", sizeof(struct hw_response));`,
    ...constants.map((c) => `  printf("\\"${c}\\": %d,\\n", (int)${c});`),
  ];
  writeFileSync(
    join(dir, 'dump.c'),
    `#include <linux/types.h>\n#include <stddef.h>\n#include <stdio.h>\n#include "${header}"\nint main(void) {\n  printf("{\\n");\n${lines.join('\n')}\n  printf("\\"end\\": 0}\\n");\n  return 0;\n}\n`,
  );
  execFileSync('cc', ['-o', join(dir, 'dump'), join(dir, 'dump.c')]);
  return JSON.parse(execFileSync(join(dir, 'dump'), { encoding: 'utf8' })) as Record<string, number>;
}

describe('bpf-abi mirrors the response part of bpf/httpwatcher.h', () => {
  const c = cResponseLayout();

  it('has the same response record layout, with kind, tgid and ns_tgid where the request record has them', () => {
    const r = abi.responseLayout;
    expect(r).toEqual({
      size: c.size,
      ktimeNs: c.ktime_ns,
      goid: c.goid,
      requestPtr: c.request_ptr,
      tgid: c.tgid,
      tid: c.tid,
      nsTgid: c.ns_tgid,
      flags: c.flags,
      status: c.status,
      kind: c.kind,
      startKtimeNs: c.start_ktime_ns,
    });
    expect([r.kind, r.tgid, r.nsTgid]).toEqual([abi.eventLayout.kind, abi.eventLayout.tgid, abi.eventLayout.nsTgid]);
  });

  it('has the same kind and flag values, and a kind no other record uses', () => {
    expect(abi.ResponseKind).toBe(c.HW_KIND_RESPONSE);
    expect(abi.ResponseFlag).toEqual({
      error: c.HW_RF_ERROR,
      noResponse: c.HW_RF_NO_RESPONSE,
      readError: c.HW_RF_READ_ERROR,
    });
    expect([abi.EventKind.request, ...Object.values(abi.LifecycleKind)]).not.toContain(abi.ResponseKind);
  });
});
