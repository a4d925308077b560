import type { BpfBuild, NativeTracer } from '@httpwatcher/bpf-native';
import { encodeBinaryKey, encodeWatch } from './abi/encode-lifecycle.js';
import type { OpenBinary } from './binary-file.js';
import { fileKey, type BinaryIdentity } from './binary-identity.js';
import {
  attachProbes,
  type BinaryImages,
  detachProbes,
  type ProbeContext,
  type ProbedBinary,
  responseTracingOf,
} from './binary-probes.js';
import type { ProbeConfig } from './resolve-process-binary.js';
import { SnooperError } from './snooper-error.js';

export type { BinaryImages, ProbedBinary } from './binary-probes.js';

/** How many binaries the registry probes at once, and how long an unused one stays. */
export interface BinaryRegistryLimits {
  /** Binaries probed at once: the capacity of the `watched` and `probe_configs` maps. */
  readonly maxBinaries: number;
  /** How long a binary no process or watcher needs keeps its probe, so that re-attaching soon costs no new uprobe. */
  readonly lingerMs: number;
  /** The same for a binary only attachAll() watches, once its last process is gone. */
  readonly allLingerMs: number;
  /**
   * After such a binary's exec rule is withdrawn, how long its probe stays before it goes: a
   * process the kernel traced under the rule an instant before has its exec record read by then.
   */
  readonly ruleGraceMs: number;
}

export const defaultRegistryLimits: BinaryRegistryLimits = {
  maxBinaries: 1024,
  lingerMs: 0,
  allLingerMs: 1000,
  ruleGraceMs: 250,
};

/**
 * The binaries with a uprobe, keyed by file (device, inode) and probe offset. A binary's link,
 * layout, exec rule and open file live while it has traced processes or attachBinary/spawn
 * watchers, plus a short linger, and not a moment longer; at most `maxBinaries` at once.
 */
export class BinaryRegistry {
  private readonly byKey = new Map<string, ProbedBinary>();
  private readonly byId = new Map<number, ProbedBinary>();
  private readonly lingering = new Map<ProbedBinary, NodeJS.Timeout>();
  /** attachAll() binaries whose exec rule is withdrawn: their probe goes after `ruleGraceMs`. */
  private readonly withdrawn = new Set<ProbedBinary>();
  /** Probes being attached, by file and offset. */
  private readonly attaching = new Map<string, Promise<ProbedBinary>>();
  private nextId = 1;
  private readonly probes: ProbeContext;
  /** Binaries not probed because `maxBinaries` were probed and in use (stats().binariesRefused). */
  refused = 0;

  constructor(
    private readonly tracer: NativeTracer,
    /** Parent PID that spawn rules admit: this Node.js process. */
    private readonly spawnerPid: number = process.pid,
    /** Snooper option `response`: also probe every return instruction of the function. */
    traceResponses = false,
    /** Capacity and lingering (defaultRegistryLimits when not given). */
    private readonly limits: BinaryRegistryLimits = defaultRegistryLimits,
    /** Where strings sent as offsets are read; without it the kernel sends every string's bytes. */
    images?: BinaryImages,
    /** Snooper option `transport`: also probe net/http.(*Transport).roundTrip and Client.do's returns. */
    traceTransport = false,
    /** Reads every record already in the kernel ring (exec records name processes traced under a rule). */
    private readonly drain: () => void = () => undefined,
    /** The BPF build loaded: `compat` checks hits against `probe_sites` instead of the uprobe's cookie. */
    bpfBuild: BpfBuild = 'default',
  ) {
    this.probes = { tracer, images, traceResponses, traceTransport, bpfBuild };
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): ProbedBinary | undefined {
    return this.byId.get(id);
  }

  find(identity: Pick<BinaryIdentity, 'dev' | 'ino'>, fileOffset: number): ProbedBinary | undefined {
    return this.byKey.get(`${fileKey(identity)}:${fileOffset}`);
  }

  all(): ProbedBinary[] {
    return [...this.byId.values()];
  }

  /**
   * The binary's probe, attached now if it has none; concurrent calls for one binary share one
   * attempt. Rejects (leaving nothing) when the kernel refuses or an offset is not proven an
   * instruction start in `file`, the open file whose identity keys the probe and which it attaches through.
   */
  acquire(file: OpenBinary, probeConfig: ProbeConfig, exe: string): Promise<ProbedBinary> {
    const identity = file.identity;
    const existing = this.find(identity, probeConfig.probe.fileOffset);
    if (existing) {
      this.keep(existing);
      return Promise.resolve(existing);
    }
    const probeKey = `${fileKey(identity)}:${probeConfig.probe.fileOffset}`;
    let attempt = this.attaching.get(probeKey);
    if (!attempt) {
      attempt = this.attach(file, probeConfig, exe, probeKey).finally(() => this.attaching.delete(probeKey));
      this.attaching.set(probeKey, attempt);
    }
    return attempt;
  }

  private async attach(
    analysed: OpenBinary,
    probeConfig: ProbeConfig,
    exe: string,
    probeKey: string,
  ): Promise<ProbedBinary> {
    const response = this.probes.traceResponses ? responseTracingOf(probeConfig, exe) : undefined;
    this.makeRoom(exe);
    const binary = await attachProbes(this.probes, analysed, probeConfig, exe, this.nextId++, response);
    this.byKey.set(probeKey, binary);
    this.byId.set(binary.id, binary);
    return binary;
  }

  /**
   * Room for one more binary: a lingering one (unused, oldest first) goes now rather than refuse a
   * binary in use. Throws TOO_MANY_BINARIES, counted, when every probed binary is in use: the maps
   * would be full, and a full map must be a reported condition, not a failed update.
   */
  private makeRoom(exe: string): void {
    // Attaches in flight hold a place too: each will add a binary.
    while (this.byId.size + this.attaching.size >= this.limits.maxBinaries) {
      const oldest = this.lingering.keys().next();
      if (oldest.done) {
        this.refused++;
        throw new SnooperError(
          'TOO_MANY_BINARIES',
          `${exe}: not traced, ${this.limits.maxBinaries} binaries are traced already; raise maxBinaries`,
        );
      }
      this.release(oldest.value);
    }
  }

  watch(binary: ProbedBinary, kind: 'whole' | 'spawn' | 'all'): void {
    this.keep(binary);
    if (kind === 'whole') binary.wholeWatchers++;
    else if (kind === 'spawn') binary.spawnWatchers++;
    else binary.allWatched = true;
    this.syncRule(binary);
  }

  unwatch(binary: ProbedBinary, kind: 'whole' | 'spawn'): void {
    if (kind === 'whole') binary.wholeWatchers = Math.max(0, binary.wholeWatchers - 1);
    else binary.spawnWatchers = Math.max(0, binary.spawnWatchers - 1);
    this.syncRule(binary);
    this.releaseIfUnused(binary);
  }

  /**
   * Detaches the probe, drops the layout and exec rule and closes the file once no process or
   * watcher needs them (after lingerMs). A binary attachAll() watches goes in two steps, so that
   * no process runs unprobed: after allLingerMs its exec rule is withdrawn (later execs are
   * unknown again: held, when asked, and attached to this same probe); `ruleGraceMs` later the
   * ring is drained, and the probe goes only if no process was traced under the rule meanwhile.
   */
  releaseIfUnused(binary: ProbedBinary): void {
    if (this.inUse(binary) || this.byId.get(binary.id) !== binary || this.lingering.has(binary)) return;
    if (binary.allWatched && !this.withdrawn.has(binary)) this.later(binary, this.limits.allLingerMs, this.withdraw);
    // Never at once: the drain must not run inside a batch, ahead of the batch's other records.
    else if (binary.allWatched) this.later(binary, Math.max(1, this.limits.ruleGraceMs), this.retire);
    else this.later(binary, this.limits.lingerMs, this.release);
  }

  private inUse(binary: ProbedBinary): boolean {
    return binary.pids.size > 0 || binary.wholeWatchers > 0 || binary.spawnWatchers > 0;
  }

  private later(binary: ProbedBinary, ms: number, step: (binary: ProbedBinary) => void): void {
    if (ms <= 0) {
      step(binary);
      return;
    }
    const timer = setTimeout(() => {
      this.lingering.delete(binary);
      step(binary);
    }, ms);
    timer.unref();
    this.lingering.set(binary, timer);
  }

  /** Wanted again: no pending step, and the exec rule back if it was withdrawn. */
  private keep(binary: ProbedBinary): void {
    clearTimeout(this.lingering.get(binary));
    this.lingering.delete(binary);
    if (this.withdrawn.delete(binary)) this.syncRule(binary);
  }

  private readonly withdraw = (binary: ProbedBinary): void => {
    if (this.inUse(binary) || this.byId.get(binary.id) !== binary) return;
    this.withdrawn.add(binary);
    this.handRuleOn(binary);
    this.releaseIfUnused(binary);
  };

  private readonly retire = (binary: ProbedBinary): void => {
    this.drain();
    if (this.byId.get(binary.id) !== binary) return; // released while the ring was read
    if (this.inUse(binary)) this.keep(binary);
    else this.release(binary);
  };

  private readonly release = (binary: ProbedBinary): void => {
    if (this.inUse(binary)) return;
    clearTimeout(this.lingering.get(binary));
    this.lingering.delete(binary);
    this.byId.delete(binary.id);
    this.byKey.delete(`${fileKey(binary.identity)}:${binary.probeConfig.probe.fileOffset}`);
    detachProbes(this.probes, binary);
    if (binary.allWatched && !this.withdrawn.has(binary)) this.handRuleOn(binary);
    this.withdrawn.delete(binary);
    void binary.file.close().catch(() => undefined);
  };

  /** The file's exec rule goes to another probe of it (another offset) that is watched, or is deleted. */
  private handRuleOn(binary: ProbedBinary): void {
    const sibling = this.all().find(
      (other) => other !== binary && !this.withdrawn.has(other) && fileKey(other.identity) === fileKey(binary.identity),
    );
    if (sibling) this.syncRule(sibling);
    else this.tracer.deleteElem('watched', encodeBinaryKey(binary.identity));
  }

  /** Forgets every binary without touching the kernel (the tracer was closed). */
  clear(): void {
    for (const timer of this.lingering.values()) clearTimeout(timer);
    this.lingering.clear();
    this.withdrawn.clear();
    for (const binary of this.byId.values()) void binary.file.close().catch(() => undefined);
    this.byId.clear();
    this.byKey.clear();
  }

  /** The `watched` entry: whole-binary watchers win over spawn ones, which admit only our children. */
  private syncRule(binary: ProbedBinary): void {
    const key = encodeBinaryKey(binary.identity);
    if (binary.wholeWatchers > 0 || binary.allWatched)
      this.tracer.updateElem('watched', key, encodeWatch(binary.id, 0));
    else if (binary.spawnWatchers > 0) this.tracer.updateElem('watched', key, encodeWatch(binary.id, this.spawnerPid));
    else this.tracer.deleteElem('watched', key);
  }
}
