// Runs inside each guest of the kernel matrix (bundled to dist/guest.cjs; `httpwatcher` comes
// from the packed tarballs installed under /hw/node_modules). Writes one JSON line per result
// to the guest's second serial port; the host turns them into the kernel × check table.
import { existsSync, readFileSync, writeSync, openSync } from 'node:fs';
import { Snooper } from 'httpwatcher';
import {
  PLAN_PATH,
  RESULTS_DEVICE,
  type GuestPlan,
  type TransportCheckName,
  type TransportFixtures,
} from '../guest-plan.js';
import type { CheckResult, GuestLine } from '../results.js';
import { checkCapture } from './capture-check.js';
import { checkBinary, checkCommand } from './cli-checks.js';
import { Findings } from './findings.js';
import { checkLoad, checkWithoutBtf, KERNEL_BTF, verifierReport } from './kernel-checks.js';
import { checkImageStrings } from './image-strings-check.js';
import { checkExitCleanup, checkResponse } from './library-checks.js';
import { checkDrainThread, checkKernelDrops } from './ring-checks.js';
import { checkTransportCapture } from './transport-capture-check.js';
import { checkTransportOnly } from './transport-only-check.js';
import { checkTransportProxy } from './transport-proxy-check.js';
import { checkTransportXnet } from './transport-xnet-check.js';

type TransportCheck = (snoop: Snooper, fixtures: TransportFixtures, f: Findings) => Promise<Record<string, unknown>>;
/** Bulk calls through a RoundTripper that is not the standard transport, per transport capture check. */
const TRANSPORT_BULK_REQUESTS = 200;

const out = openSync(process.argv[2] ?? RESULTS_DEVICE, 'w');
const report = (line: GuestLine): void => {
  writeSync(out, `${JSON.stringify(line)}\n`);
};
const uptimeS = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

/** "none voluntary (full) lazy": the models this kernel offers, the one in force in parentheses. */
function preemptModel(): string | null {
  try {
    return readFileSync('/sys/kernel/debug/sched/preempt', 'utf8').trim();
  } catch {
    return null; // a kernel without dynamic preemption has no such file
  }
}

async function runCheck(
  name: string,
  timeoutMs: number,
  body: (f: Findings) => Promise<Record<string, unknown>>,
): Promise<CheckResult> {
  const f = new Findings();
  const start = Date.now();
  let facts: Record<string, unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    facts = await Promise.race([body(f), timeout]);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    f.add(`${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  const result: CheckResult = { name, ok: f.ok, ms: Date.now() - start, problems: f.problems };
  if (facts && Object.keys(facts).length > 0) result.facts = facts;
  report({ kind: 'check', result });
  console.log(`hw-guest: ${result.ok ? 'pass' : 'FAIL'} ${name} (${(result.ms / 1000).toFixed(1)} s)`);
  return result;
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(PLAN_PATH, 'utf8')) as GuestPlan;
  const t = plan.checkTimeoutMs;
  report({
    kind: 'guest',
    uname: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    procVersion: readFileSync('/proc/version', 'utf8').trim(),
    btf: existsSync(KERNEL_BTF),
    preempt: preemptModel(),
    uptimeS: uptimeS(),
  });
  report({ kind: 'verifier', programs: verifierReport(plan.verifierReport, plan.bpfObjects) });
  const load = await runCheck('load', t, checkLoad);
  // A kernel httpwatcher refuses by name runs nothing else but the hidden-BTF refusal.
  if (load.facts?.code === 'UNSUPPORTED_KERNEL') {
    await runCheck('no BTF', t, checkWithoutBtf);
    report({ kind: 'done', uptimeS: uptimeS() });
    return;
  }
  for (let round = 1; round <= plan.captureRounds; round++)
    for (const fixture of plan.captures) {
      const suffix = plan.captureRounds > 1 ? ` #${round}` : '';
      await runCheck(`capture go${fixture.go} ${fixture.variant}${suffix}`, t, async (f) => {
        const snoop = await Snooper.init({ flushIntervalMs: 10, bpfBuild: plan.bpfBuild });
        try {
          return await checkCapture(snoop, fixture, plan.bulkRequests, f);
        } finally {
          await snoop.close();
        }
      });
    }
  for (const fixture of plan.imageStrings)
    await runCheck(`image strings go${fixture.go} ${fixture.variant}`, t, (f) => checkImageStrings(fixture, f));
  // Under the transport option (docs/transport-probes.md), a Snooper of its own per check.
  const transportChecks: Record<TransportCheckName, TransportCheck> = {
    capture: (snoop, fx, f) => checkTransportCapture(snoop, fx.client, TRANSPORT_BULK_REQUESTS, f),
    proxy: (snoop, fx, f) => checkTransportProxy(snoop, fx.transportClient, f),
    only: (snoop, fx, f) => checkTransportOnly(snoop, fx.transportOnly, f),
    xnet: (snoop, fx, f) => checkTransportXnet(snoop, fx.xnetClient, f),
  };
  for (const fixtures of plan.transport)
    for (const name of plan.transportChecks)
      await runCheck(`transport ${name} go${fixtures.go}`, t, async (f) => {
        const check = transportChecks[name];
        const snoop = await Snooper.init({ flushIntervalMs: 10, transport: true, bpfBuild: plan.bpfBuild });
        try {
          return await check(snoop, fixtures, f);
        } finally {
          await snoop.close();
        }
      });
  await runCheck('-- command', t, (f) => checkCommand(plan, f));
  await runCheck('--binary', t, (f) => checkBinary(plan, f));
  await runCheck('exit cleanup', t, (f) => checkExitCleanup(plan, f));
  await runCheck('--response', t, (f) => checkResponse(plan, f));
  await runCheck('kernel drops', t, (f) => checkKernelDrops(plan, f));
  await runCheck('drain thread', t, (f) => checkDrainThread(plan, f));
  await runCheck('no BTF', t, checkWithoutBtf);
  report({ kind: 'done', uptimeS: uptimeS() });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error('hw-guest:', error);
    process.exit(1);
  },
);
