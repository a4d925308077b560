import { resolveProcessBinary, type Snooper } from 'httpwatcher';
import { bpfRunTime } from './bpf-run-time.js';
import type { CallLoop } from './call-loop.js';
import type { EventCounter } from './event-counter.js';
import { FloorProbe } from './floor-probe.js';
import { returnObservationSites, type ReturnObservationSites } from './return-observation-sites.js';
import { waitFor } from './stats.js';

/**
 * untraced; the counting floor at httpwatcher's entry probe alone; that floor plus every RET site
 * response mode probes (the floor of response mode); httpwatcher `response: true`; and the entry
 * floor plus each alternative way to see the call end (the return addresses in the callers, the
 * open-coded defer's branches to the epilogues).
 */
export const responseFloorModes = [
  'untraced',
  'floorEntry',
  'floorReturns',
  'response',
  'floorReturnAddress',
  'floorDeferBranch',
] as const;
export type ResponseFloorMode = (typeof responseFloorModes)[number];

export interface ResponseFloorResult {
  label: string;
  goVersion: string;
  calls: number;
  iterations: number;
  /** The entry probe's file offset (after the stack check) and the sites found for the returns. */
  entryOffset: number;
  sites: ReturnObservationSites;
  /** ns/call of every round, by mode; modes without sites in this binary stay empty. */
  nsPerCall: Record<ResponseFloorMode, number[]>;
  /** Each round's ns/call minus the untraced round of the same iteration. */
  addedNs: Record<ResponseFloorMode, number[]>;
  /** Time inside response mode's BPF programs per hit (kernel.bpf_stats_enabled), one extra round. */
  programNs: Array<{ name: string; nsPerRun: number; runs: number }>;
  problems: string[];
}

/**
 * Runs `iterations` rounds of every mode against the same binary, rotating their order each
 * iteration, and checks that each counting floor counted one hit per call and site group.
 */
export async function measureResponseFloor(options: {
  label: string;
  binary: string;
  goroot: string;
  loop: CallLoop;
  calls: number;
  iterations: number;
  responseSnoop: Snooper;
  responseConsumer: EventCounter;
}): Promise<ResponseFloorResult> {
  const { binary, loop, calls, iterations, responseSnoop, responseConsumer } = options;
  const problems: string[] = [];
  const resolved = await resolveProcessBinary(await loop.next());
  await resolved.file.close();
  const response = resolved.response;
  if (!response || 'unavailable' in response)
    throw new Error(`${binary}: response mode is not available: ${response?.unavailable ?? 'no return sites'}`);
  const entryOffset = resolved.probe.fileOffset;
  const sites = await returnObservationSites(binary, options.goroot, response.returns);
  const offsets: Partial<Record<ResponseFloorMode, number[]>> = {
    floorEntry: [entryOffset],
    floorReturns: [entryOffset, ...response.returns.map((r) => r.fileOffset)],
    ...(sites.returnAddresses.length > 0 && {
      floorReturnAddress: [entryOffset, ...sites.returnAddresses.map((r) => r.fileOffset)],
    }),
    ...(sites.deferBranches.length > 0 && {
      floorDeferBranch: [entryOffset, ...sites.deferBranches.map((r) => r.fileOffset)],
    }),
  };
  const modes = responseFloorModes.filter((m) => m === 'untraced' || m === 'response' || offsets[m]);
  const nsPerCall = Object.fromEntries(responseFloorModes.map((m) => [m, [] as number[]])) as Record<
    ResponseFloorMode,
    number[]
  >;

  const runMode = async (mode: ResponseFloorMode, pid: number): Promise<number> => {
    if (mode === 'untraced') return (await loop.run(calls)).nsPerCall;
    if (mode === 'response') {
      const before = responseConsumer.count;
      await responseSnoop.attach(pid);
      const round = await loop.run(calls);
      const complete = await waitFor(() => responseConsumer.count - before >= calls, 10_000);
      await responseSnoop.detach(pid);
      if (!complete) problems.push(`response: ${responseConsumer.count - before} events for ${calls} calls`);
      return round.nsPerCall;
    }
    const probe = await FloorProbe.attach(binary, offsets[mode]!, pid);
    const round = await loop.run(calls);
    const hits = await probe.stop();
    // One hit per call at the entry, and one more where the call ends (exactly one RET, return
    // address or branch per call).
    const expected = mode === 'floorEntry' ? calls : 2 * calls;
    if (hits !== expected) problems.push(`${mode}: ${hits} hits for ${calls} calls (expected ${expected})`);
    return round.nsPerCall;
  };

  let programNs: ResponseFloorResult['programNs'] = [];
  try {
    for (let i = 0; i < iterations; i++) {
      const order = [...modes.slice(i % modes.length), ...modes.slice(0, i % modes.length)];
      for (const mode of order) nsPerCall[mode].push(await runMode(mode, await loop.next()));
    }
    // Apart from the rounds: the statistics switch costs a little on every program run.
    programNs = await bpfRunTime(async (sample) => {
      await runMode('response', await loop.next());
      sample();
    }, calls / 2);
  } finally {
    await loop.stop();
  }
  // Rounds are paired by iteration: the untraced round of the same iteration is the baseline.
  const untraced = nsPerCall.untraced;
  const addedNs = Object.fromEntries(
    responseFloorModes.map((m) => [m, nsPerCall[m].map((ns, i) => ns - (untraced[i] ?? Number.NaN))]),
  ) as Record<ResponseFloorMode, number[]>;
  return {
    label: options.label,
    goVersion: resolved.goVersion,
    calls,
    iterations,
    entryOffset,
    sites,
    nsPerCall,
    addedNs,
    programNs,
    problems,
  };
}
