import type { BpfBuild, NativeTracer } from '@httpwatcher/bpf-native';
import { BinaryAnalyzer } from '@httpwatcher/go-offsets';
import type { AttachedProcess } from './attached-process.js';
import { BinaryRegistry, defaultRegistryLimits } from './binary-registry.js';
import { EventDelivery } from './event-delivery.js';
import { ExecWatcher } from './exec-watcher.js';
import type { HttpRequestEvent } from './http-event.js';
import type { HttpRequestView } from './http-request-view.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { HeldProcesses, type StartGuardian } from './held-processes.js';
import { guardianStarter, openNativeTracer } from './open-native-tracer.js';
import { procProcessSource } from './process-source.js';
import { defaultExitSweepMs, ExitSweep } from './exit-sweep.js';
import { ProcessTable } from './process-table.js';
import { RecordPump } from './record-pump.js';
import { type ResolveOptions, ProbeConfigCache } from './resolve-process-binary.js';
import { ResponseJoin } from './response-join.js';
import { TransportJoin } from './transport-join.js';
import { SnooperError } from './snooper-error.js';
import { SnooperLifetime } from './snooper-lifetime.js';
import type {
  AttachAllOptions,
  AttachedBinary,
  SnooperOptions,
  SnooperStats,
  TracedChild,
  TracedSpawnOptions,
} from './snooper-types.js';
import { SpawnedExecs, spawnTraced } from './spawn-traced.js';
import { assertMayHold, capabilitiesToCheck } from './permission-advice.js';
import { SecretRedactor } from './redact.js';
import type { Capabilities } from './tracing-capabilities.js';

export type { AttachedProcess, AttachSource } from './attached-process.js';
export type {
  AttachAllOptions,
  AttachedBinary,
  SnooperOptions,
  SnooperStats,
  TracedChild,
  TracedSpawnOptions,
} from './snooper-types.js';

/**
 * Traces outbound HTTP requests of Go processes. Targets, each with one uprobe per binary shared
 * by all its processes and the PID filter in BPF:
 *
 * - `attach(pid)` / `detach(pid)`: one running process.
 * - `spawn(command, args)`: a new program, traced from its first instruction.
 * - `attachBinary(path)`: every process running a file, now and later.
 * - `attachAll()`: every Go process with net/http's client, now and later.
 *
 * Requests come from `events()`; attach and exit notices from `lifecycle()`. A traced process's
 * state is removed in the kernel as it exits, and a PID is trusted only with its start time.
 */
export class Snooper implements AsyncDisposable {
  private readonly lifetime = new SnooperLifetime();
  private closeOnce: Promise<void> | undefined;
  private readonly delivery: EventDelivery;
  /** Response mode: request events wait here for their call's return. */
  private readonly responses: ResponseJoin | undefined;
  /** Transport mode: request records are joined to their client calls here. */
  private readonly transport: TransportJoin | undefined;
  private readonly transportExpiry: NodeJS.Timeout | undefined;
  private readonly pump: RecordPump;
  /**
   * Every binary is analysed in its worker thread, never on the event loop that delivers events.
   * The worker leaves about 14 MB freed but resident in its malloc arena when it exits: returned
   * at once, it is about a fifth of the CLI's idle memory (BENCHMARKS.md).
   */
  private readonly analyzer = new BinaryAnalyzer({ onWorkerExit: () => this.tracer.releaseFreeMemory?.() });
  /** Option `transport`: binaries without Client.do are analysed for their roundTrip probe instead of refused. */
  private readonly analyzeForTransport: boolean;
  private readonly probeConfigs = new ProbeConfigCache((request) =>
    this.analyzer.analyze(this.analyzeForTransport ? { ...request, transport: true } : request),
  );
  private readonly binaries: BinaryRegistry;
  private readonly processTable: ProcessTable;
  private readonly spawnedExecs = new SpawnedExecs();
  private readonly watcher: ExecWatcher;
  private readonly held: HeldProcesses;
  /** Traced processes gone without an exit record are let go here (undefined: the process source cannot tell). */
  private readonly exitSweep: ExitSweep | undefined;
  /** The BPF counters as close() found them. */
  private finalCounters: number[] = [];
  private readonly removeAbortListener: () => void;
  private readonly capabilities: Capabilities | undefined;
  /** The build of the BPF program loaded: `compat` on Linux 5.8 to 5.16 (docs/kernels.md). */
  readonly bpfBuild: BpfBuild;

  private constructor(
    private readonly tracer: NativeTracer,
    options: SnooperOptions,
    redactor: SecretRedactor | undefined,
    startGuardian: StartGuardian | undefined,
  ) {
    const { lifetime, probeConfigs, spawnedExecs } = this;
    this.capabilities = capabilitiesToCheck(options);
    this.bpfBuild = options.bpfBuild === 'compat' ? 'compat' : 'default';
    this.analyzeForTransport = options.transport === true;
    const maxQueue = options.maxQueue ?? 65_536;
    const clock = new MonotonicClock();
    const delivery = new EventDelivery(
      maxQueue,
      redactor,
      options.queueBacklogBytes ?? 0,
      options.onQueueDrop,
      options.requestViews === true,
    );
    const responses = options.response ? new ResponseJoin(maxQueue, (event) => delivery.deliver(event)) : undefined;
    // Both options: each event of the transport join waits for the return of the function whose record it is.
    const transport = options.transport
      ? new TransportJoin(
          maxQueue,
          options.transportHoldMs ?? 60_000,
          responses
            ? (event, from) => responses.request(event, from.requestPtr, from.via)
            : (event) => delivery.deliver(event),
          Date.now,
          (pid, requestPtr, startNs) => responses?.hopsAnswered(pid, requestPtr, startNs),
        )
      : undefined;
    const pump = new RecordPump(
      tracer,
      lifetime,
      clock,
      delivery,
      responses,
      (record) => this.watcher.onLifecycle(record),
      transport,
    );
    const binaries = new BinaryRegistry(
      tracer,
      process.pid,
      options.response === true,
      {
        maxBinaries: options.maxBinaries ?? defaultRegistryLimits.maxBinaries,
        lingerMs: options.probeLingerMs ?? defaultRegistryLimits.lingerMs,
        allLingerMs: options.probeLingerMs ?? defaultRegistryLimits.allLingerMs,
        ruleGraceMs: defaultRegistryLimits.ruleGraceMs,
      },
      pump.binaryImages,
      options.transport === true,
      () => pump.flush(),
      this.bpfBuild,
    );
    const processSource = options.processes ?? procProcessSource;
    const flush = (): void => pump.flush();
    this.delivery = delivery;
    this.responses = responses;
    this.transport = transport;
    this.pump = pump;
    this.binaries = binaries;
    this.processTable = new ProcessTable({
      tracer,
      lifetime,
      binaries,
      resolveProcessBinary: options.resolveProcessBinary ?? probeConfigs.forPid,
      processSource,
      delivery,
      clock,
      responses,
      transport,
      flush,
    });
    this.held = new HeldProcesses(tracer, startGuardian, (pid) => this.watcher.onGuardianLost(pid));
    this.watcher = new ExecWatcher({
      held: this.held,
      tracer,
      lifetime,
      probeConfigs,
      binaries,
      processes: this.processTable,
      processSource,
      delivery,
      spawnedExecs,
      ...(options.maxUntraceable !== undefined && { maxUntraceable: options.maxUntraceable }),
    });
    const signal = options.signal;
    const onAbort = (): void => void this.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.removeAbortListener = () => signal?.removeEventListener('abort', onAbort);
    const startTimeOf = processSource.startTimeOf?.bind(processSource);
    if (startTimeOf)
      this.exitSweep = new ExitSweep(
        {
          processes: this.processTable,
          lifetime,
          flush: () => pump.flush(),
          startTimeOf,
          nowNs: () => process.hrtime.bigint(),
        },
        options.exitSweepMs ?? defaultExitSweepMs,
      );
    if (transport) {
      this.transportExpiry = setInterval(() => transport.expire(), 1000);
      this.transportExpiry.unref();
    }
    tracer.start((batch) => pump.onBatch(batch));
  }

  /**
   * Loads the BPF program into the kernel. Rejects with PERMISSION_DENIED, naming the missing
   * capabilities, when this process cannot load it or create uprobes (docs/privileges.md).
   */
  static async init(options: SnooperOptions = {}): Promise<Snooper> {
    if (options.signal?.aborted) throw new SnooperError('CLOSED', 'the abort signal was already aborted');
    const backlog = options.queueBacklogBytes;
    if (backlog !== undefined && !(Number.isSafeInteger(backlog) && backlog >= 0))
      throw new SnooperError(
        'INVALID_ARGUMENT',
        `queueBacklogBytes must be a whole number of bytes, 0 or more, got ${String(backlog)}`,
      );
    const sweepMs = options.exitSweepMs;
    if (sweepMs !== undefined && !(Number.isSafeInteger(sweepMs) && sweepMs >= 10 && sweepMs <= 86_400_000))
      throw new SnooperError(
        'INVALID_ARGUMENT',
        `exitSweepMs must be a whole number of milliseconds from 10 to 86400000, got ${String(sweepMs)}`,
      );
    if (options.requestViews === true && (options.transport === true || options.response === true))
      throw new SnooperError(
        'INVALID_ARGUMENT',
        'requestViews cannot be combined with the transport or response options: their requests are joined as events',
      );
    const holdMs = options.transportHoldMs;
    if (holdMs !== undefined && (!Number.isSafeInteger(holdMs) || holdMs <= 0))
      throw new SnooperError('INVALID_ARGUMENT', `transportHoldMs must be a positive integer, got ${String(holdMs)}`);
    const redactor =
      options.redactSecrets === true || options.redact !== undefined ? new SecretRedactor(options.redact) : undefined;
    const { tracer, build } = await openNativeTracer(options);
    return new Snooper(tracer, { ...options, bpfBuild: build }, redactor, await guardianStarter(options, tracer));
  }

  /**
   * Starts tracing a running process. Idempotent: attaching a process that is already traced
   * returns the same result and adds nothing; a PID that now names another process (PID reuse)
   * drops the old state first. A failed attach leaves nothing behind.
   */
  async attach(pid: number, options: ResolveOptions = {}): Promise<AttachedProcess> {
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new SnooperError('INVALID_ARGUMENT', `pid must be a positive integer, got ${String(pid)}`);
    }
    this.lifetime.assertOpen();
    return this.processTable.attach(pid, 'attach', options);
  }

  /** Stops tracing a process. Resolves false when it was not traced. */
  async detach(pid: number): Promise<boolean> {
    this.lifetime.assertOpen();
    return this.processTable.detach(pid);
  }

  /**
   * Starts `command` with tracing already in place: its binary's probe is attached and the
   * kernel inserts the child's state as it execs, so even its first request is captured.
   * `command` is looked up in PATH like execvp; it must be the Go program itself (no shell).
   * Resolves once the program runs; `exited` settles with its exit code or signal. Should its
   * exec go unseen (a full ring), the program is attached by PID instead, never killed.
   */
  async spawn(command: string, args: readonly string[] = [], options: TracedSpawnOptions = {}): Promise<TracedChild> {
    this.lifetime.assertOpen();
    const { probeConfigs, binaries, lifetime, spawnedExecs, pump, processTable } = this;
    const attachPid = (pid: number, options: ResolveOptions): Promise<AttachedProcess> =>
      processTable.attach(pid, 'spawn', options);
    return spawnTraced(
      { probeConfigs, binaries, lifetime, spawnedExecs, flush: () => pump.flush(), attachPid },
      command,
      args,
      options,
    );
  }

  /**
   * Traces every process running the executable at `path`: those running now, and each one
   * started later from its first instruction (the kernel inserts its state at exec). Processes
   * found later are announced by `attach` notices on `lifecycle()`. Idempotent per file.
   */
  async attachBinary(path: string, options: ResolveOptions = {}): Promise<AttachedBinary> {
    this.lifetime.assertOpen();
    return this.watcher.attachBinary(path, options);
  }

  /** Stops watching a file for new processes and detaches its processes. False when it was not watched. */
  async detachBinary(path: string): Promise<boolean> {
    this.lifetime.assertOpen();
    return this.watcher.detachBinary(path);
  }

  /**
   * Traces every Go process that contains net/http's client, running now or started later. New
   * processes are reported by the kernel's exec tracepoint (no polling); each binary is examined
   * once (decisions are cached per file and mtime, in user space and in a BPF map), and once a
   * binary is known to be traceable its later processes are traced from their first instruction.
   * Processes that cannot be traced for another reason come as `error` notices on `lifecycle()`.
   */
  async attachAll(options: AttachAllOptions = {}): Promise<{ processes: AttachedProcess[] }> {
    if (options.hold) assertMayHold(this.capabilities);
    this.lifetime.assertOpen();
    return this.watcher.attachAll(options);
  }

  /** Processes currently traced. */
  processes(): AttachedProcess[] {
    return this.processTable.list();
  }

  /**
   * Requests as they happen. Iterators share one queue (each event goes to one consumer) and
   * end after close() once the queue is drained; aborting `signal` ends just this iterator.
   */
  events(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<HttpRequestEvent> {
    return this.delivery.events(options.signal);
  }

  /**
   * With the option `requestViews`: requests in batches of views read from their records, for a
   * consumer that keeps up with a client's full rate (the CLI). Each batch is what waited when it
   * was taken; a view is valid until the next one is taken (see HttpRequestView). Throws
   * INVALID_ARGUMENT without the option.
   */
  requestViews(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<Iterable<HttpRequestView>> {
    const views = this.delivery.requestViews(options.signal);
    if (!views) throw new SnooperError('INVALID_ARGUMENT', 'requestViews() needs the option requestViews: true');
    return views;
  }

  /**
   * Lifecycle notices: `attach` (a process became traced, by any mode), `exit` (a traced process
   * exited or exec'd; its state is already gone) and `error` (a process found by attachBinary or
   * attachAll could not be traced). Same queue semantics as events(); at most 4096 are kept
   * for a slow consumer, older ones first.
   */
  lifecycle(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<LifecycleEvent> {
    return this.delivery.lifecycle(options.signal);
  }

  /** Moves every record already in the kernel ring into the queues now. */
  flush(): void {
    this.pump.flush();
  }

  stats(): SnooperStats {
    const closed = this.lifetime.closed;
    return this.delivery.stats({
      counters: closed ? this.finalCounters : this.tracer.counters(),
      links: closed ? 0 : this.tracer.linkCount(),
      processes: this.processes().length,
      decodeErrors: this.pump.decodeErrors,
      responses: this.responses,
      holdsExpired: this.held.expired,
      binaries: closed ? 0 : this.binaries.size,
      binariesRefused: this.binaries.refused,
      untraceableEvicted: this.watcher.untraceableEvicted,
      transport: this.transport,
      spillPeakBytes: this.tracer.spillPeakBytes?.() ?? 0,
      exitsSwept: this.exitSweep?.swept ?? 0,
    });
  }

  /**
   * Entries in the kernel maps, for diagnostics and leak tests: traced processes, watched
   * binaries and their layouts, and processes held at exec (attachAll({ hold })). All zero once
   * nothing is traced, watched or held.
   */
  kernelEntries(): { tracedProcs: number; watched: number; probeConfigs: number; links: number; held: number } {
    if (this.lifetime.closed) return { tracedProcs: 0, watched: 0, probeConfigs: 0, links: 0, held: 0 };
    return {
      tracedProcs: this.tracer.countElems('traced_procs'),
      watched: this.tracer.countElems('watched'),
      probeConfigs: this.tracer.countElems('probe_configs'),
      links: this.tracer.linkCount(),
      held: this.tracer.countElems('held'),
    };
  }

  /** Keeps the Node.js process alive while tracing (default). */
  ref(): this {
    if (!this.lifetime.closed) this.tracer.ref();
    return this;
  }

  /** Lets the Node.js process exit even while tracing. */
  unref(): this {
    if (!this.lifetime.closed) this.tracer.unref();
    return this;
  }

  /**
   * Detaches every probe and frees kernel resources; events already captured are still
   * delivered. Attaches in flight reject with CLOSED. Processes held by attachAll({ hold })
   * are continued; it resolves once the hold guardian has exited. Idempotent.
   */
  close(): Promise<void> {
    this.lifetime.closing = true;
    this.closeOnce ??= (async () => {
      if (this.lifetime.closed) return;
      // No new holds from here; the records of processes already held are in the ring.
      this.watcher.stopHolding();
      this.pump.flush();
      clearInterval(this.transportExpiry);
      this.exitSweep?.stop();
      this.transport?.drain(); // first: with responses, its calls go on to wait in the response join
      this.responses?.drain();
      this.finalCounters = this.tracer.counters();
      this.lifetime.closed = true;
      this.removeAbortListener();
      this.held.resumeAll();
      this.tracer.close();
      this.binaries.clear(); // before any await: a lingering release must not reach the closed tracer
      await this.analyzer.close(); // an analysis in flight rejects (ERR_CLOSED: CLOSED)
      await this.held.stop(); // the guardian's last sweeps, then it exits and the `held` map goes
      this.processTable.clear();
      this.pump.close();
      this.watcher.clear();
      this.spawnedExecs.close(); // a spawn() still waiting for its child's exec record gets none
      this.delivery.end();
    })();
    return this.closeOnce;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
