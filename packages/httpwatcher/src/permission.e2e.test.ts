import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBpfTests } from '@httpwatcher/test-support/gates';

const dist = join(__dirname, '..', 'dist', 'index.js');

/** Runs Snooper.init() from the built package in a node process started by `wrapper`, and returns what it reported. */
function initUnder(wrapper: string[], dir: string): { code?: string; message?: string; ok?: boolean } {
  const script = join(dir, 'init.mjs');
  writeFileSync(
    script,
    `import { Snooper } from ${JSON.stringify(dist)};
try { const s = await Snooper.init(); await s.close(); console.log(JSON.stringify({ ok: true })); }
catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
  );
  chmodSync(dir, 0o755);
  chmodSync(script, 0o644);
  const result = spawnSync(wrapper[0]!, [...wrapper.slice(1), process.execPath, script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`no result from ${wrapper.join(' ')}: ${result.stdout} ${result.stderr}`);
  return JSON.parse(line) as { code?: string; message?: string };
}

// Dropping privileges needs them first: root (or CI, where this must run and pass).
describe.runIf(runBpfTests)('privileges: init() without CAP_BPF and CAP_PERFMON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-priv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the built package (run pnpm build first)', () => {
    expect(existsSync(dist)).toBe(true);
  });

  // Every capability gone (bounding set empty, so exec grants none even to uid 0): as unprivileged as an
  // ordinary user for BPF, while the checkout stays readable wherever CI cloned it (a 0700 temp dir
  // would keep uid 65534 from even loading the package).
  it('with every capability dropped: PERMISSION_DENIED naming CAP_BPF and CAP_PERFMON', () => {
    const result = initUnder(['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--'], dir);
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toContain('lacks CAP_BPF and CAP_PERFMON (uid 0)');
  });

  it('as root without CAP_BPF (and CAP_SYS_ADMIN): PERMISSION_DENIED naming only CAP_BPF', () => {
    const result = initUnder(['capsh', '--drop=cap_bpf,cap_sys_admin', '--', '-c', 'exec "$0" "$@"'], dir);
    expect(result.code).toBe('PERMISSION_DENIED');
    expect(result.message).toContain('lacks CAP_BPF (uid 0)');
  });

  it('as root with every capability: init() succeeds (the control)', () => {
    expect(initUnder(['env'], dir)).toEqual({ ok: true });
  });
});
