import type { NativeTracer } from '@httpwatcher/bpf-native';
import { ExecPolicy, ExecPolicySlot } from './abi/bpf-abi.js';
import type { LifecycleRecord } from './abi/decode-lifecycle.js';
import { encodeBinaryKey, encodeIgnore, encodeU32 } from './abi/encode-lifecycle.js';
import type { AttachedProcess, AttachSource } from './attached-process.js';
import { contentKey, fileKey, sameFile } from './binary-identity.js';
import type { ProbedBinary } from './binary-registry.js';
import type { EventDelivery } from './event-delivery.js';
import { assertHostPidNamespace, defaultHoldTimeoutMs, type HeldProcesses } from './held-processes.js';
import { type FileProber, probeFile } from './probe-file.js';
import type { ProcessSource } from './process-source.js';
import type { ProcessTable } from './process-table.js';
import { RecentKeys } from './recent-keys.js';
import type { ResolveOptions } from './resolve-process-binary.js';
import { SnooperError, type SnooperErrorCode } from './snooper-error.js';
import type { AttachAllOptions, AttachedBinary } from './snooper-types.js';
import type { SpawnedExecs } from './spawn-traced.js';
import { toSnooperError } from './to-snooper-error.js';

/** Resolution failures that mean "not a program to trace", not "something went wrong". */
const notTraceable = new Set<SnooperErrorCode>([
  'NOT_GO_BINARY',
  'NO_HTTP_CLIENT',
  'INVALID_BINARY',
  'UNSUPPORTED_ARCH',
]);
const scanConcurrency = 8;
/** The `ignored` map's default capacity (bpf-native's defaultTracerOptions.maxUntraceable). */
export const defaultMaxUntraceable = 8192;

/** How attaching a process that a watch found ended. */
type FoundProcessOutcome =
  | { readonly status: 'attached'; readonly process: AttachedProcess }
  /** Not a Go program with net/http's client: no notice. */
  | { readonly status: 'not-traceable' }
  /** Gone, closed meanwhile, or failed: a failure was reported as an `error` notice. */
  | { readonly status: 'skipped' };

/** What the watches work with. */
export interface ExecWatcherParts extends FileProber {
  readonly tracer: NativeTracer;
  readonly processes: ProcessTable;
  readonly processSource: ProcessSource;
  readonly delivery: EventDelivery;
  readonly spawnedExecs: SpawnedExecs;
  readonly held: HeldProcesses;
  /** Binaries remembered as not traceable (option maxUntraceable, the `ignored` map's capacity). */
  readonly maxUntraceable?: number;
}

/**
 * Watches on binaries, so that their processes are traced from their exec: attachBinary() by
 * file, attachAll() for every Go binary it meets. Handles the exec and exit records the kernel
 * writes (for these watches and for spawn()'s short-lived rules), and the processes it holds
 * (SIGSTOP) until attachAll({ hold }) has decided about a binary never seen before.
 */
export class ExecWatcher {
  /** attachBinary() watches by file; attachAll() marks each Go binary it meets (ProbedBinary.allWatched). */
  private readonly binaryWatches = new Map<string, ProbedBinary>();
  private allMode: { hold: boolean } | undefined;
  /**
   * Content keys (file + mtime) of binaries found not traceable in attachAll() mode: as many as the
   * kernel's `ignored` LRU map holds, least recently used first out.
   */
  private readonly untraceable: RecentKeys;
  constructor(private readonly parts: ExecWatcherParts) {
    this.untraceable = new RecentKeys(parts.maxUntraceable ?? defaultMaxUntraceable);
  }

  /** attachAll(): binaries found not traceable and forgotten since, to keep within maxUntraceable. */
  get untraceableEvicted(): number {
    return this.untraceable.evicted;
  }

  async attachBinary(path: string, options: ResolveOptions): Promise<AttachedBinary> {
    const binary = await probeFile(this.parts, path, options);
    const key = fileKey(binary.identity);
    if (!this.binaryWatches.has(key)) {
      this.binaryWatches.set(key, binary);
      this.parts.binaries.watch(binary, 'whole');
    }
    const processes: AttachedProcess[] = [];
    await this.scan(async (pid) => {
      const now = await this.parts.processSource.identify(pid);
      if (!now || !sameFile(now.binary, binary.identity)) return;
      const outcome = await this.attachFound(pid, 'binary', options);
      if (outcome.status === 'attached') processes.push(outcome.process);
    });
    return {
      path,
      goVersion: binary.probeConfig.goVersion,
      layoutEntry: binary.probeConfig.layoutEntry,
      probeFileOffset: binary.probeConfig.probe.fileOffset,
      processes,
    };
  }

  async detachBinary(path: string): Promise<boolean> {
    const { file } = await this.parts.probeConfigs.forFile(path);
    await file.close();
    const identity = file.identity;
    const binary = this.binaryWatches.get(fileKey(identity));
    if (!binary || this.parts.lifetime.closed) return false;
    this.binaryWatches.delete(fileKey(identity));
    this.parts.processes.detachAll(binary.pids);
    this.parts.binaries.unwatch(binary, 'whole');
    return true;
  }

  async attachAll(options: AttachAllOptions): Promise<{ processes: AttachedProcess[] }> {
    const { tracer } = this.parts;
    const hold = options.hold ?? false;
    const subtree = options.holdSubtree ?? 0;
    if (!Number.isSafeInteger(subtree) || subtree < 0 || subtree > 0x7fffffff)
      throw new SnooperError('INVALID_ARGUMENT', `holdSubtree must be a PID, got ${String(options.holdSubtree)}`);
    if (hold) {
      assertHostPidNamespace();
      // Before the first hold: whatever happens to this process from now on, the guardian resumes.
      await this.parts.held.ensureGuardian(options.holdTimeoutMs ?? defaultHoldTimeoutMs);
      this.parts.lifetime.assertOpen();
    }
    this.allMode = { hold };
    const setSlot = (slot: number, value: number): void =>
      tracer.updateElem('exec_policy', encodeU32(slot), encodeU32(value));
    setSlot(ExecPolicySlot.exemptParent, process.pid); // our own children are never held
    setSlot(ExecPolicySlot.holdSubtree, subtree);
    setSlot(ExecPolicySlot.mode, hold ? ExecPolicy.holdUnknown : ExecPolicy.reportUnknown);
    const processes: AttachedProcess[] = [];
    await this.scan(async (pid) => {
      const outcome = await this.attachFound(pid, 'all', {});
      if (outcome.status === 'attached') processes.push(outcome.process);
    });
    return { processes };
  }

  /** An exit or exec record from the kernel. */
  onLifecycle(record: LifecycleRecord): void {
    if (record.kind === 'exit') this.parts.processes.onExit(record);
    else if (record.traced || record.tracedProcsFull) this.onWatchedExec(record);
    else this.onUnknownExec(record);
  }

  /** close(), first step: from now on the kernel holds no process (those held already are in the ring). */
  stopHolding(): void {
    if (this.allMode)
      this.parts.tracer.updateElem('exec_policy', encodeU32(ExecPolicySlot.mode), encodeU32(ExecPolicy.watchedOnly));
  }

  /**
   * The hold guardian `pid` is gone while tracing: new binaries are reported, never held, from now
   * on (the addon's watch did so already, and resumed what was held), until attachAll({ hold })
   * starts another guardian. Said with a HOLD_GUARDIAN_LOST error notice.
   */
  onGuardianLost(pid: number): void {
    if (!this.allMode?.hold || this.parts.lifetime.closed) return;
    this.allMode = { hold: false };
    this.parts.tracer.updateElem('exec_policy', encodeU32(ExecPolicySlot.mode), encodeU32(ExecPolicy.reportUnknown));
    this.parts.held.resumeAll();
    const error = new SnooperError(
      'HOLD_GUARDIAN_LOST',
      `the hold guardian (pid ${pid}) exited while tracing: every held process was resumed, and new ` +
        'binaries are reported, no longer held. Call attachAll({ hold: true }) again to start another guardian.',
    );
    this.parts.delivery.notify({ kind: 'error', pid, error });
  }

  /** close(), once the probes are gone: forgets the watches. */
  clear(): void {
    this.binaryWatches.clear();
  }

  /** Runs `visit` for every live PID but ours, a few at a time. */
  private async scan(visit: (pid: number) => Promise<void>): Promise<void> {
    const pids = (await this.parts.processSource.list()).filter((pid) => pid !== process.pid);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pids.length && !this.parts.lifetime.closed) await visit(pids[next++]!).catch(() => undefined);
    };
    await Promise.all(Array.from({ length: scanConcurrency }, worker));
    this.parts.lifetime.assertOpen();
  }

  /**
   * Attaches a process that a watch found rather than the caller named. Never rejects: not
   * traceable is not an error, and other failures become `error` notices. In attachAll() mode,
   * a traceable binary gets a whole-binary watch, so its later processes are traced from their start.
   */
  private async attachFound(pid: number, via: AttachSource, options: ResolveOptions): Promise<FoundProcessOutcome> {
    try {
      const attached = await this.parts.processes.attach(pid, via, options);
      const binary = this.parts.processes.binaryOf(pid);
      if (this.allMode && binary && !binary.allWatched) this.parts.binaries.watch(binary, 'all');
      return { status: 'attached', process: attached };
    } catch (error) {
      const e = toSnooperError(error, pid);
      if (this.parts.lifetime.closed || e.code === 'NO_SUCH_PROCESS' || e.code === 'CLOSED')
        return { status: 'skipped' };
      if (notTraceable.has(e.code)) return { status: 'not-traceable' };
      this.parts.delivery.notify({ kind: 'error', pid, error: e });
      return { status: 'skipped' };
    }
  }

  /** A watched binary was exec'd and the kernel inserted (or, map full, could not insert) its entry. */
  private onWatchedExec(record: LifecycleRecord): void {
    const binary = this.parts.binaries.get(record.binaryId);
    if (!binary) {
      if (record.traced) this.parts.tracer.deleteTraced(record.pid); // a rule removed just before the exec
      // attachAll(): the binary's state went (its last process exited) just before this exec; decide again.
      if (this.allMode) this.onUnknownExec(record);
      return;
    }
    const via = this.sourceOf(binary);
    if (record.tracedProcsFull) {
      this.parts.delivery.notify({
        kind: 'error',
        pid: record.pid,
        error: new SnooperError(
          'TOO_MANY_PROCESSES',
          `pid ${record.pid}: not traced, the BPF traced_procs map is full; raise maxProcesses`,
          { pid: record.pid },
        ),
      });
      return;
    }
    const info = this.parts.processes.onTracedExec(record, binary, via);
    if (via === 'spawn') this.parts.spawnedExecs.execed(record.pid, info);
    this.parts.delivery.notify({ kind: 'attach', pid: record.pid, nsPid: record.nsPid, via, process: info });
  }

  /** Which watch made the kernel trace a process of `binary` at its exec. */
  private sourceOf(binary: ProbedBinary): AttachSource {
    if (binary.wholeWatchers === 0 && !binary.allWatched) return 'spawn';
    if (binary.allWatched && !this.binaryWatches.has(fileKey(binary.identity))) return 'all';
    return 'binary';
  }

  /** attachAll(): a binary not seen before was exec'd. Decide once per file, then let it run. */
  private onUnknownExec(record: LifecycleRecord): void {
    const { lifetime, held } = this.parts;
    if (record.held) held.held(record.pid);
    const decided = (): void => held.decided(record.pid);
    const content = contentKey(record.binary);
    if (!this.allMode || lifetime.closed || this.untraceable.has(content)) {
      if (this.untraceable.has(content) && !lifetime.closed) this.ignoreInKernel(record);
      decided();
      return;
    }
    void this.attachFound(record.pid, 'all', {})
      .then((outcome) => {
        if (outcome.status !== 'not-traceable') return;
        this.untraceable.add(content);
        if (!lifetime.closed) this.ignoreInKernel(record);
      })
      .finally(decided);
  }

  /** The kernel reports this binary's execs no more (until the file changes). */
  private ignoreInKernel(record: LifecycleRecord): void {
    this.parts.tracer.updateElem('ignored', encodeBinaryKey(record.binary), encodeIgnore(record.binary));
  }
}
