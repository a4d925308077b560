import type { ProbeLocation } from '@httpwatcher/go-elf';
import { contentKey, fileKey, type BinaryIdentity } from './binary-identity.js';
import type { OpenBinary } from './binary-file.js';
import { assertProbeSites } from './probe-guard.js';
import { encodeBinaryKey, encodeU32, encodeWatch } from './abi/encode-lifecycle.js';
import { encodeProbeConfig, type ImageRange, type ResponseTracing } from './abi/encode-probe-config.js';
import { SnooperError } from './snooper-error.js';
import { probeSiteKeys, probeSitePresent } from './probe-sites.js';
import type { BpfBuild, NativeTracer } from '@httpwatcher/bpf-native';
import type { ReadOnlyData } from '@httpwatcher/go-elf';
import type { ProbeConfig } from './resolve-process-binary.js';

/** The return sites of a binary for response mode; throws RESPONSE_UNSUPPORTED when it has none usable. */
function responseTracingOf(
  probeConfig: ProbeConfig,
  exe: string,
): ResponseTracing & { returns: readonly ProbeLocation[] } {
  const probes = probeConfig.response;
  if (!probes || 'unavailable' in probes) {
    throw new SnooperError(
      'RESPONSE_UNSUPPORTED',
      `${exe}: responses cannot be traced: ${probes?.unavailable ?? 'its return sites were not resolved'}; trace without the response option`,
    );
  }
  return { returns: probes.returns, gTlsOffset: probes.gTlsOffset };
}

/** What the transport probe of a binary needs: its site, and Client.do's returns for the call ends. */
interface TransportTracing extends ResponseTracing {
  readonly site: ProbeLocation;
  readonly returns: readonly ProbeLocation[];
}

/**
 * The transport probe of a binary (Snooper option `transport`), or undefined when it cannot be
 * attached: the binary is then traced through Client.do alone, as without the option.
 */
function transportTracingOf(probeConfig: ProbeConfig): TransportTracing | undefined {
  const transport = probeConfig.transport;
  const probes = probeConfig.response;
  if (!transport || 'unavailable' in transport || !probes || 'unavailable' in probes) return undefined;
  return { site: transport.probe, returns: probes.returns, gTlsOffset: probes.gTlsOffset };
}

/**
 * The read-only data range for processes the kernel starts tracing at exec. A PIE's load bias is
 * found there (ro_pie), from its link-time code start; without that, its strings go as bytes.
 */
function execImageRange(readOnlyData: ImageRange | undefined, probeConfig: ProbeConfig): ImageRange | undefined {
  if (!readOnlyData || !probeConfig.pie) return readOnlyData;
  if (probeConfig.executableStart === undefined) return undefined;
  return { ...readOnlyData, executableStart: probeConfig.executableStart };
}

/** Opens a binary's file for the strings the kernel sends as offsets into its image, and lets it go. */
export interface BinaryImages {
  /** False when the file cannot be opened: the kernel then sends every string's bytes. */
  add(binaryId: number, path: string, data: ReadOnlyData): boolean;
  release(binaryId: number): void;
}

/** One probed binary: one uprobe link, shared by every traced process running the file. */
export interface ProbedBinary {
  /** The uprobe's BPF cookie (default build) and the key of its layout in the `probe_configs` map. */
  readonly id: number;
  readonly identity: BinaryIdentity;
  readonly probeConfig: ProbeConfig;
  /** The file the probes were attached through, open while they exist: the kernel's name for them leads to it. */
  readonly file: OpenBinary;
  /** The executable's name as first seen (reported in AttachedProcess.exe). */
  readonly exe: string;
  readonly linkId: number;
  /** Response mode: the links on each return instruction, and what the BPF side needs to match them. */
  readonly returnLinkIds: readonly number[];
  /** Compat build: the binary's `probe_sites` keys (empty in the default build). */
  readonly siteKeys: readonly Buffer[];
  readonly response: ResponseTracing | undefined;
  /** Option `transport`: the transport probe is attached (its link is in returnLinkIds). */
  readonly transport: ResponseTracing | undefined;
  /** The read-only data whose strings can go as offsets: the file is open (undefined: bytes only). */
  readonly readOnlyData: ImageRange | undefined;
  /** Host PIDs traced through this probe. */
  readonly pids: Set<number>;
  /** attachBinary holders: every process that execs the file is traced from its start. */
  wholeWatchers: number;
  /**
   * attachAll() met the binary: its processes are traced from their start too, but this watch does not
   * keep the binary: its state goes once its last process is gone (after `allLingerMs`).
   */
  allWatched: boolean;
  /** spawn() calls waiting for their child's exec: only this process's children are traced. */
  spawnWatchers: number;
}

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
  /** Binaries not probed because `maxBinaries` were probed and in use (stats().binariesRefused). */
  refused = 0;

  constructor(
    private readonly tracer: NativeTracer,
    /** Parent PID that spawn rules admit: this Node.js process. */
    private readonly spawnerPid: number = process.pid,
    /** Snooper option `response`: also probe every return instruction of the function. */
    private readonly traceResponses = false,
    /** Capacity and lingering (defaultRegistryLimits when not given). */
    private readonly limits: BinaryRegistryLimits = defaultRegistryLimits,
    /** Where strings sent as offsets are read; without it the kernel sends every string's bytes. */
    private readonly images?: BinaryImages,
    /** Snooper option `transport`: also probe net/http.(*Transport).roundTrip and Client.do's returns. */
    private readonly traceTransport = false,
    /** Reads every record already in the kernel ring (exec records name processes traced under a rule). */
    private readonly drain: () => void = () => undefined,
    /** The BPF build loaded: `compat` checks hits against `probe_sites` instead of the uprobe's cookie. */
    private readonly bpfBuild: BpfBuild = 'default',
  ) {}

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
    const response = this.traceResponses ? responseTracingOf(probeConfig, exe) : undefined;
    this.makeRoom(exe);
    const file = await analysed.reopen();
    try {
      if (
        contentKey(file.identity) !== contentKey(analysed.identity) ||
        file.identity.sizeBytes !== analysed.identity.sizeBytes
      )
        throw new SnooperError(
          'PROBE_NOT_AT_INSTRUCTION',
          `${exe}: the file changed while it was being attached; attach again`,
        );
      const transport = this.traceTransport ? transportTracingOf(probeConfig) : undefined;
      const returns = response?.returns ?? transport?.returns ?? [];
      const sites = [probeConfig.probe.fileOffset, ...returns.map((site) => site.fileOffset)];
      await assertProbeSites(file, probeConfig, sites, exe);
      if (transport && probeConfig.transport && !('unavailable' in probeConfig.transport))
        await assertProbeSites(file, probeConfig, [transport.site.fileOffset], exe, probeConfig.transport.function);
      return await this.attachThrough(file, probeConfig, exe, probeKey, response, transport);
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  private async attachThrough(
    file: OpenBinary,
    probeConfig: ProbeConfig,
    exe: string,
    probeKey: string,
    response: (ResponseTracing & { returns: readonly ProbeLocation[] }) | undefined,
    transport: TransportTracing | undefined,
  ): Promise<ProbedBinary> {
    const { identity, attachPath } = file;
    const id = this.nextId++;
    const key = encodeU32(id);
    const readOnlyData =
      probeConfig.readOnlyData && this.images?.add(id, attachPath, probeConfig.readOnlyData)
        ? probeConfig.readOnlyData
        : undefined;
    const execImage = execImageRange(readOnlyData, probeConfig);
    const links: number[] = [];
    const returnSites = response?.returns ?? transport?.returns;
    // The compat build has no cookies: it checks each hit's address against the binary's sites.
    const compat = this.bpfBuild === 'compat';
    const cookie = compat ? 0 : id;
    let siteKeys: Buffer[] = [];
    let linkId: number;
    try {
      this.tracer.updateElem(
        'probe_configs',
        key,
        encodeProbeConfig(probeConfig.layout, 0, response, execImage, transport),
      );
      if (compat) {
        const sites = [probeConfig.probe, ...(returnSites ?? []), ...(transport ? [transport.site] : [])];
        siteKeys = probeSiteKeys(id, probeConfig.executableStart, sites, exe);
        for (const site of siteKeys) this.tracer.updateElem('probe_sites', site, probeSitePresent);
      }
      // Returns first: a call that starts meanwhile is matched or, without its start, ignored.
      if (returnSites) {
        const returns = await Promise.allSettled(
          returnSites.map((site) =>
            this.tracer.attachUprobe(attachPath, site.fileOffset, -1, cookie, 'client_do_return'),
          ),
        );
        for (const r of returns) if (r.status === 'fulfilled') links.push(r.value);
        const failed = returns.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
      // Then the transport's entry: its records are joined to the calls whose ends are now reported.
      if (transport)
        links.push(
          await this.tracer.attachUprobe(attachPath, transport.site.fileOffset, -1, cookie, 'transport_round_trip'),
        );
      if (probeConfig.entry === 'transport' && !this.traceTransport)
        throw new SnooperError(
          'NO_HTTP_CLIENT',
          `${exe}: the program sends requests only through http.Transport; trace it with the transport option (--transport)`,
        );
      const entry = probeConfig.probe.fileOffset;
      linkId =
        probeConfig.entry === 'transport'
          ? await this.tracer.attachUprobe(attachPath, entry, -1, cookie, 'transport_round_trip')
          : await this.tracer.attachUprobe(attachPath, entry, -1, cookie);
    } catch (error) {
      // The tracer may have been closed meanwhile: then there is nothing left to undo.
      try {
        for (const link of links) this.tracer.detach(link);
        for (const site of siteKeys) this.tracer.deleteElem('probe_sites', site);
        this.tracer.deleteElem('probe_configs', key);
      } catch {}
      this.images?.release(id);
      throw error;
    }
    const binary: ProbedBinary = {
      id,
      identity,
      probeConfig,
      file,
      exe,
      linkId,
      returnLinkIds: links,
      siteKeys,
      response,
      transport: transport && { gTlsOffset: transport.gTlsOffset },
      readOnlyData,
      pids: new Set(),
      wholeWatchers: 0,
      allWatched: false,
      spawnWatchers: 0,
    };
    this.byKey.set(probeKey, binary);
    this.byId.set(id, binary);
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
    this.tracer.detach(binary.linkId);
    for (const link of binary.returnLinkIds) this.tracer.detach(link);
    for (const site of binary.siteKeys) this.tracer.deleteElem('probe_sites', site);
    this.tracer.deleteElem('probe_configs', encodeU32(binary.id));
    if (binary.allWatched && !this.withdrawn.has(binary)) this.handRuleOn(binary);
    this.withdrawn.delete(binary);
    this.images?.release(binary.id);
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
