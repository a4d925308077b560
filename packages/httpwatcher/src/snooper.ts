import { spawn as spawnChild, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { NativeBinding, NativeTracer, TracerOptions } from '@httpwatcher/bpf-native';
import type { AttachedProcess, AttachSource } from './attached-process.js';
import { contentKey, fileKey, sameFile } from './binary-identity.js';
import { BinaryRegistry, type BinaryImages, type ProbedBinary } from './binary-registry.js';
import { counterIndex, ExecPolicy } from './bpf-abi.js';
import { resolveCommandPath } from './command-path.js';
import { SecretRedactor, type RedactNames } from './redact.js';
import { ResponseJoin } from './response-join.js';
import { decodeEvent, recordsOf } from './decode-event.js';
import { decodeResponse, isResponseRecord, requestKeyOf } from './decode-response.js';
import {
  decodeLifecycle,
  encodeBinaryKey,
  encodeIgnore,
  encodeTraced,
  encodeU32,
  isLifecycleRecord,
  type LifecycleRecord,
} from './encode-lifecycle.js';
import { encodeTarget } from './encode-target.js';
import { ImageTexts } from './image-texts.js';
import { mappedAddressOf } from './process-mappings.js';
import { EventQueue } from './event-queue.js';
import { exitStatusOf, type ExitStatus } from './exit-status.js';
import type { HttpRequestEvent } from './http-event.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { procProcessSource, type ProcessSource } from './process-source.js';
import {
  TargetCache,
  type BinaryTarget,
  type ResolveOptions,
  type ResolvedTarget,
  type TargetResolver,
} from './resolve-target.js';
import { SnooperError, type SnooperErrorCode } from './snooper-error.js';
import { missingOwnTracingCapabilities } from './tracing-capabilities.js';
import { toSnooperError } from './to-snooper-error.js';

export type { AttachedProcess, AttachSource } from './attached-process.js';

export interface SnooperOptions {
  /** Aborting closes the Snooper. */
  signal?: AbortSignal;
  /** Events buffered for consumers before new ones are dropped (counted in stats().queueDrops). */
  maxQueue?: number;
  /** Kernel ring buffer size in bytes (power of two). */
  ringBufferBytes?: number;
  /** Upper bound on the delay between a request and its event reaching JavaScript. */
  flushIntervalMs?: number;
  /** How many processes can be traced at once (the BPF targets map's capacity). Default 1024. */
  maxProcesses?: number;
  /**
   * How long a binary's uprobe stays attached after its last traced process is gone. Default 0:
   * released at once. Creating a uprobe waits for an RCU grace period (tens of milliseconds, more
   * on a loaded machine), so callers that detach and re-attach often may keep probes a while.
   */
  probeLingerMs?: number;
  /** The native layer; tests pass a fake. Defaults to @httpwatcher/bpf-native. */
  binding?: NativeBinding;
  /** How a PID becomes a probe location and layout; tests may substitute it. Defaults to a per-file cache. */
  resolveTarget?: TargetResolver;
  /** Which processes exist and what they run; tests may substitute it. Defaults to /proc. */
  processes?: ProcessSource;
  /**
   * Report each request when its call returns, with `status`, `error` and `durationNs`, instead of
   * when it starts. Probes every return instruction of net/http.(*Client).do with a plain uprobe
   * (never a uretprobe, which crashes Go programs). A call that never returns (a panic through it,
   * the process exiting mid-call) is reported without those fields when its process exits.
   */
  response?: boolean;
  /**
   * Mask credentials before events leave the Snooper: values of Authorization, Cookie, X-Api-Key,
   * X-Auth-Token and similar headers keep only their scheme word (`Bearer ****`), and credential
   * query and fragment parameters (`access_token=****`) are masked in `url`. Off by default, as in
   * the original API.
   */
  redactSecrets?: boolean;
  /**
   * Header and parameter names to mask besides the built-in ones (`*` matches any run of characters;
   * case and naming style do not matter). Giving it turns `redactSecrets` on. A name that is empty or
   * holds spaces or controls is rejected with INVALID_ARGUMENT.
   */
  redact?: RedactNames;
}

export interface SnooperStats {
  /** Events delivered into the queue. */
  events: number;
  /** Records lost in the kernel because the ring buffer was full. */
  kernelDrops: number;
  /** Events dropped because consumers fell more than maxQueue behind. */
  queueDrops: number;
  /** Events whose process memory could not be read completely. */
  readErrors: number;
  /** Records that could not be decoded (a bug: please report). */
  decodeErrors: number;
  /** Probe hits in traced processes. */
  hits: number;
  /** Processes currently traced. */
  processes: number;
  /** Uprobe links: one per probed binary, however many of its processes are traced. */
  links: number;
  /**
   * Option `response`: requests reported without waiting for their call to return, because more
   * than `maxQueue` calls were in flight (the oldest goes first).
   */
  responsesNotAwaited: number;
  /** Option `response`: returns whose request was never seen (lost in a full ring, or already in flight at attach). */
  responsesUnmatched: number;
}

/** What `attachBinary()` resolves with. */
export interface AttachedBinary {
  readonly path: string;
  readonly goVersion: string;
  readonly layoutEntry: string;
  readonly probeFileOffset: number;
  /** Processes already running the binary, now traced. Later ones show up as `attach` notices. */
  readonly processes: readonly AttachedProcess[];
}

/** Options of `spawn()`: Node's spawn options without `shell` (the command itself must be the Go program). */
export interface TracedSpawnOptions extends Omit<SpawnOptions, 'shell'> {
  /** Layout options, as for attach(). */
  resolve?: ResolveOptions;
}

/** A program started by `spawn()`, traced from its first instruction. */
export interface TracedChild {
  readonly pid: number;
  readonly process: AttachedProcess;
  readonly child: ChildProcess;
  /** Settles when the program exits, with its exit code or the signal that ended it. */
  readonly exited: Promise<ExitStatus>;
}

export interface AttachAllOptions {
  /**
   * Stop (SIGSTOP) every process that execs a binary not seen before, until it is attached or
   * found not traceable, then SIGCONT it: no request is missed, even in a program's first
   * microseconds. The costs, which is why it is off by default: each new binary pauses its
   * first process for the time of one ELF read (about a millisecond for non-Go files); a shell
   * with job control notices the stop of its foreground job ("Stopped"); and the processes are
   * resumed by this process's event loop, so while it is blocked (or if it is killed) they stay
   * stopped. Children of this process are never held, so waiting for one synchronously
   * (execFileSync) cannot deadlock. Without `hold`, a never-seen binary's first process is
   * attached a few milliseconds after its exec; later processes of a binary already seen are
   * traced from their first instruction either way.
   */
  hold?: boolean;
}

interface TracedProcess {
  readonly pid: number;
  readonly startTime: string;
  readonly binary: ProbedBinary;
  readonly info: AttachedProcess;
  /** Written to the kernel, not yet confirmed to still be the process resolved. */
  pending: boolean;
  exited: boolean;
}

/** Resolution failures that mean "not a program to trace", not "something went wrong". */
const notTraceable = new Set<SnooperErrorCode>([
  'NOT_GO_BINARY',
  'NO_HTTP_CLIENT',
  'INVALID_BINARY',
  'UNSUPPORTED_ARCH',
]);
const scanConcurrency = 8;

async function loadDefaultBinding(): Promise<NativeBinding> {
  const native = await import('@httpwatcher/bpf-native');
  return {
    openTracer: native.openTracer,
    get libbpfVersion() {
      return native.loadAddon().libbpfVersion;
    },
  };
}

function infoOf(pid: number, nsPid: number, exe: string, target: BinaryTarget, via: AttachSource): AttachedProcess {
  return {
    pid,
    nsPid,
    exe,
    goVersion: target.goVersion,
    layoutEntry: target.layoutEntry,
    layoutSource: target.layoutSource,
    probeAddress: target.probe.address,
    probeFileOffset: target.probe.fileOffset,
    warnings: target.warnings,
    via,
  };
}

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
  private readonly queue: EventQueue<HttpRequestEvent>;
  private readonly notices = new EventQueue<LifecycleEvent>(4096);
  private readonly traced = new Map<number, TracedProcess>();
  private readonly attaching = new Map<number, Promise<AttachedProcess>>();
  private readonly clock = new MonotonicClock();
  /** Header keys and values that records name by offset into their binary's read-only data. */
  private readonly images = new ImageTexts();
  /** Inside onBatch: binaries released meanwhile are closed when the batch is done. */
  private decoding = false;
  private readonly imagesToRelease: number[] = [];
  /**
   * A released binary's file closes once no record naming it is left: outside a batch, after
   * decoding what the ring holds (the kernel no longer writes records for it); inside one, after it.
   */
  private readonly binaryImages: BinaryImages = {
    add: (id, path, data) => this.images.add(id, path, data),
    release: (id) => {
      if (this.decoding) {
        this.imagesToRelease.push(id);
        return;
      }
      this.flush();
      this.images.release(id);
    },
  };
  private readonly targets = new TargetCache();
  private readonly resolveTarget: TargetResolver;
  private readonly processSource: ProcessSource;
  private readonly binaries: BinaryRegistry;
  /** Response mode: request events wait here for their call's return. */
  private readonly responses: ResponseJoin | undefined;
  /** attachBinary() watches by file; attachAll() adds one whole-binary watch per Go binary it meets. */
  private readonly binaryWatches = new Map<string, ProbedBinary>();
  private readonly allWatches = new Set<ProbedBinary>();
  private allMode: AttachAllOptions | undefined;
  /** Content keys (file + mtime) of binaries found not traceable in attachAll() mode. */
  private readonly untraceable = new Set<string>();
  /** Processes stopped by the exec tracepoint, awaiting our decision. */
  private readonly held = new Set<number>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private delivered = 0;
  private readonly redactor: SecretRedactor | undefined;
  /** Exec records of children started by spawn(), kept until spawn() has seen them (a fast child may already have exited). */
  private readonly spawnedExecs = new Map<number, AttachedProcess>();
  private decodeErrors = 0;
  private finalCounters: number[] = [];
  private finalLinks = 0;
  private readonly removeAbortListener: () => void;

  private constructor(
    private readonly tracer: NativeTracer,
    options: SnooperOptions,
    redactor: SecretRedactor | undefined,
  ) {
    this.queue = new EventQueue(options.maxQueue ?? 65_536);
    this.resolveTarget = options.resolveTarget ?? this.targets.forPid;
    this.processSource = options.processes ?? procProcessSource;
    this.redactor = redactor;
    this.binaries = new BinaryRegistry(
      tracer,
      process.pid,
      options.response === true,
      options.probeLingerMs ?? 0,
      this.binaryImages,
    );
    this.responses = options.response
      ? new ResponseJoin(options.maxQueue ?? 65_536, (event) => this.deliver(event))
      : undefined;
    const signal = options.signal;
    const onAbort = (): void => void this.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.removeAbortListener = () => signal?.removeEventListener('abort', onAbort);
    tracer.start((batch) => this.onBatch(batch));
  }

  /**
   * Loads the BPF program into the kernel. Rejects with PERMISSION_DENIED, naming the missing
   * capabilities, without root or CAP_BPF + CAP_PERFMON.
   */
  static async init(options: SnooperOptions = {}): Promise<Snooper> {
    if (options.signal?.aborted) throw new SnooperError('CLOSED', 'the abort signal was already aborted');
    const redactor =
      options.redactSecrets === true || options.redact !== undefined ? new SecretRedactor(options.redact) : undefined;
    const missing = options.binding ? [] : missingOwnTracingCapabilities();
    if (missing.length > 0) {
      throw new SnooperError(
        'PERMISSION_DENIED',
        `tracing needs root, or CAP_BPF and CAP_PERFMON; this process lacks ${missing.join(' and ')} ` +
          `(uid ${process.getuid?.() ?? '?'}). Run as root, or grant them (e.g. setcap cap_bpf,cap_perfmon,cap_sys_ptrace,cap_kill+ep on node).`,
      );
    }
    let binding: NativeBinding;
    try {
      binding = options.binding ?? (await loadDefaultBinding());
    } catch (cause) {
      throw new SnooperError('NATIVE_ADDON_MISSING', (cause as Error).message, { cause });
    }
    const tracerOptions: Partial<TracerOptions> = {
      ...(options.ringBufferBytes !== undefined && { ringBytes: options.ringBufferBytes }),
      ...(options.flushIntervalMs !== undefined && { flushIntervalMs: options.flushIntervalMs }),
      ...(options.maxProcesses !== undefined && { maxTargets: options.maxProcesses }),
    };
    let tracer: NativeTracer;
    try {
      tracer = binding.openTracer(tracerOptions);
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      if (code === 'EPERM' || code === 'EACCES') {
        throw new SnooperError(
          'PERMISSION_DENIED',
          `the kernel refused to load the BPF program (${code}): run as root, or grant CAP_BPF and CAP_PERFMON (e.g. setcap cap_bpf,cap_perfmon+ep on node)`,
          { cause },
        );
      }
      if (code === 'NATIVE_ADDON_MISSING')
        throw new SnooperError('NATIVE_ADDON_MISSING', (cause as Error).message, { cause });
      throw new SnooperError('BPF_LOAD_FAILED', `loading the BPF program failed: ${(cause as Error).message}`, {
        cause,
      });
    }
    return new Snooper(tracer, options, redactor);
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
    this.assertOpen();
    return this.attachProcess(pid, 'attach', options);
  }

  private attachProcess(pid: number, via: AttachSource, options: ResolveOptions): Promise<AttachedProcess> {
    const inFlight = this.attaching.get(pid);
    if (inFlight) return inFlight;
    const attempt = this.doAttach(pid, via, options).finally(() => this.attaching.delete(pid));
    this.attaching.set(pid, attempt);
    return attempt;
  }

  private async doAttach(pid: number, via: AttachSource, options: ResolveOptions): Promise<AttachedProcess> {
    let target: ResolvedTarget;
    try {
      target = await this.resolveTarget(pid, options);
    } catch (error) {
      throw toSnooperError(error, pid);
    }
    // PIE: where this process mapped the binary's read-only data (it moved with the load bias).
    const imageAt =
      target.pie && target.readOnlyData
        ? await mappedAddressOf(pid, target.binary.ino, target.readOnlyData.fileOffset)
        : undefined;
    this.assertOpen();
    const existing = this.traced.get(pid);
    if (existing) {
      if (existing.startTime === target.startTime && sameFile(existing.binary.identity, target.binary))
        return existing.info;
      this.release(existing); // the PID now names another process, or another program
    }
    let binary: ProbedBinary;
    try {
      binary = await this.binaries.acquire(target.binary, target, target.attachPath, target.exe);
    } catch (error) {
      this.assertOpen();
      throw toSnooperError(error, pid);
    }
    this.assertOpen();
    const entry: TracedProcess = {
      pid,
      startTime: target.startTime,
      binary,
      info: infoOf(pid, target.nsPid, target.exe, target, via),
      pending: true,
      exited: false,
    };
    const image =
      binary.readOnlyData &&
      (!target.pie
        ? binary.readOnlyData
        : imageAt !== undefined
          ? { vaddr: imageAt, sizeBytes: binary.readOnlyData.sizeBytes }
          : undefined);
    try {
      this.tracer.setTarget(
        pid,
        encodeTraced(
          encodeTarget(target.layout, target.nsPid, binary.response, image),
          BigInt(target.startTime),
          binary.id,
        ),
      );
    } catch (error) {
      this.binaries.releaseIfUnused(binary);
      throw toSnooperError(error, pid);
    }
    this.traced.set(pid, entry);
    binary.pids.add(pid);
    // The process may have exited (and its PID been reused) or exec'd since it was resolved: the
    // BPF side would then never read it, but its entry must not linger either.
    const now = await this.processSource.identify(pid).catch(() => undefined);
    if (this.closed) throw new SnooperError('CLOSED', `pid ${pid}: the Snooper was closed during the attach`, { pid });
    if (entry.exited || !now || now.startTime !== target.startTime || !sameFile(now.binary, target.binary)) {
      if (this.traced.get(pid) === entry) this.release(entry);
      throw new SnooperError(
        'NO_SUCH_PROCESS',
        `pid ${pid}: the process exited or changed program while it was being attached`,
        { pid },
      );
    }
    entry.pending = false;
    this.notices.push({ kind: 'attach', pid, nsPid: entry.info.nsPid, via, process: entry.info });
    return entry.info;
  }

  /** Stops tracing a process. Resolves false when it was not traced. */
  async detach(pid: number): Promise<boolean> {
    this.assertOpen();
    await this.attaching.get(pid)?.catch(() => undefined);
    if (this.closed) return false;
    this.flush(); // an exit or exec record still in the ring may concern this PID
    const traced = this.traced.get(pid);
    if (!traced) return false;
    this.release(traced);
    return true;
  }

  private release(traced: TracedProcess): void {
    this.tracer.deleteTarget(traced.pid);
    this.forget(traced);
  }

  /** Drops user-space state of a process whose kernel entry is gone. */
  private forget(traced: TracedProcess): void {
    this.responses?.processExited(traced.pid); // its calls in flight will not be seen returning
    if (this.traced.get(traced.pid) === traced) this.traced.delete(traced.pid);
    traced.binary.pids.delete(traced.pid);
    this.binaries.releaseIfUnused(traced.binary);
  }

  /**
   * Starts `command` with tracing already in place: its binary's probe is attached and the
   * kernel inserts the child's state as it execs, so even its first request is captured.
   * `command` is looked up in PATH like execvp; it must be the Go program itself (no shell).
   * Resolves once the program runs; `exited` settles with its exit code or signal.
   */
  async spawn(command: string, args: readonly string[] = [], options: TracedSpawnOptions = {}): Promise<TracedChild> {
    this.assertOpen();
    const { resolve: resolveOptions, ...spawnOptions } = options;
    const searchPath = spawnOptions.env?.PATH ?? process.env.PATH;
    const cwd = spawnOptions.cwd === undefined ? undefined : String(spawnOptions.cwd);
    const path = await resolveCommandPath(command, searchPath, cwd);
    const binary = await this.probeFile(path, resolveOptions);
    this.binaries.watch(binary, 'spawn');
    let child: ChildProcess;
    try {
      child = spawnChild(path, [...args], { ...spawnOptions, argv0: spawnOptions.argv0 ?? command });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (error) {
      if (!this.closed) this.binaries.unwatch(binary, 'spawn');
      throw new SnooperError('NO_SUCH_FILE', `${command}: ${(error as Error).message}`, { cause: error });
    }
    const pid = child.pid!;
    // libuv reports the spawn when the child's close-on-exec fds close, which the kernel does a
    // little before it runs the exec tracepoint that inserts the child's state. Keep the watch
    // rule until the exec record for this pid has arrived (bounded), then take it away.
    const deadline = Date.now() + 5_000;
    while (!this.closed && !this.spawnedExecs.has(pid) && Date.now() < deadline) {
      this.flush();
      if (!this.spawnedExecs.has(pid)) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const execInfo = this.spawnedExecs.get(pid);
    this.spawnedExecs.delete(pid);
    if (!this.closed) this.binaries.unwatch(binary, 'spawn');
    const exited = new Promise<ExitStatus>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (!execInfo) {
      child.kill('SIGKILL');
      throw new SnooperError(
        'TOO_MANY_PROCESSES',
        `${command}: started as pid ${pid} but not traced (the BPF targets map is full?); it was killed`,
        { pid },
      );
    }
    return { pid, process: execInfo, child, exited };
  }

  /**
   * Traces every process running the executable at `path`: those running now, and each one
   * started later from its first instruction (the kernel inserts its state at exec). Processes
   * found later are announced by `attach` notices on `lifecycle()`. Idempotent per file.
   */
  async attachBinary(path: string, options: ResolveOptions = {}): Promise<AttachedBinary> {
    this.assertOpen();
    const binary = await this.probeFile(path, options);
    const key = fileKey(binary.identity);
    if (!this.binaryWatches.has(key)) {
      this.binaryWatches.set(key, binary);
      this.binaries.watch(binary, 'whole');
    }
    const processes: AttachedProcess[] = [];
    await this.scan(async (pid) => {
      const now = await this.processSource.identify(pid);
      if (!now || !sameFile(now.binary, binary.identity)) return;
      const attached = await this.attachQuietly(pid, 'binary', options);
      if (attached) processes.push(attached);
    });
    return {
      path,
      goVersion: binary.target.goVersion,
      layoutEntry: binary.target.layoutEntry,
      probeFileOffset: binary.target.probe.fileOffset,
      processes,
    };
  }

  /** Stops watching a file for new processes and detaches its processes. False when it was not watched. */
  async detachBinary(path: string): Promise<boolean> {
    this.assertOpen();
    const { identity } = await this.targets.forFile(path);
    const binary = this.binaryWatches.get(fileKey(identity));
    if (!binary || this.closed) return false;
    this.binaryWatches.delete(fileKey(identity));
    for (const pid of [...binary.pids]) {
      const traced = this.traced.get(pid);
      if (traced) this.release(traced);
    }
    this.binaries.unwatch(binary, 'whole');
    return true;
  }

  /**
   * Traces every Go process that contains net/http's client, running now or started later. New
   * processes are reported by the kernel's exec tracepoint (no polling); each binary is examined
   * once (decisions are cached per file and mtime, in user space and in a BPF map), and once a
   * binary is known to be traceable its later processes are traced from their first instruction.
   * Processes that cannot be traced for another reason come as `error` notices on `lifecycle()`.
   */
  async attachAll(options: AttachAllOptions = {}): Promise<{ processes: AttachedProcess[] }> {
    this.assertOpen();
    this.allMode = { hold: options.hold ?? false };
    this.tracer.updateElem('exec_policy', encodeU32(1), encodeU32(process.pid)); // our own children are never held
    this.tracer.updateElem(
      'exec_policy',
      encodeU32(0),
      encodeU32(this.allMode.hold ? ExecPolicy.holdUnknown : ExecPolicy.reportUnknown),
    );
    const processes: AttachedProcess[] = [];
    await this.scan(async (pid) => {
      const attached = await this.attachQuietly(pid, 'all', {});
      if (attached) processes.push(attached);
    });
    return { processes };
  }

  /** Processes currently traced. */
  processes(): AttachedProcess[] {
    return [...this.traced.values()].filter((t) => !t.pending).map((t) => t.info);
  }

  /**
   * Requests as they happen. Iterators share one queue (each event goes to one consumer) and
   * end after close() once the queue is drained; aborting `signal` ends just this iterator.
   */
  events(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<HttpRequestEvent> {
    return iterate(this.queue, options.signal);
  }

  /**
   * Lifecycle notices: `attach` (a process became traced, by any mode), `exit` (a traced process
   * exited or exec'd; its state is already gone) and `error` (a process found by attachBinary or
   * attachAll could not be traced). Same queue semantics as events(); at most 4096 are kept
   * for a slow consumer, older ones first.
   */
  lifecycle(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<LifecycleEvent> {
    return iterate(this.notices, options.signal);
  }

  /** Moves every record already in the kernel ring into the queues now. */
  flush(): void {
    if (this.closed) return;
    const batch = this.tracer.flush();
    if (batch) this.onBatch(batch);
  }

  stats(): SnooperStats {
    const counters = this.closed ? this.finalCounters : this.tracer.counters();
    return {
      events: this.delivered,
      kernelDrops: counters[counterIndex.ringDrops] ?? 0,
      queueDrops: this.queue.dropped,
      readErrors: counters[counterIndex.readErrors] ?? 0,
      decodeErrors: this.decodeErrors,
      hits: counters[counterIndex.hits] ?? 0,
      processes: this.processes().length,
      links: this.closed ? this.finalLinks : this.tracer.linkCount(),
      responsesNotAwaited: this.responses?.evicted ?? 0,
      responsesUnmatched: this.responses?.orphans ?? 0,
    };
  }

  /**
   * Entries in the kernel maps, for diagnostics and leak tests: traced processes, watched
   * binaries and their layouts. All zero once nothing is traced or watched.
   */
  kernelEntries(): { targets: number; watched: number; configs: number; links: number } {
    if (this.closed) return { targets: 0, watched: 0, configs: 0, links: 0 };
    return {
      targets: this.tracer.countElems('targets'),
      watched: this.tracer.countElems('watched'),
      configs: this.tracer.countElems('configs'),
      links: this.tracer.linkCount(),
    };
  }

  /** Keeps the Node.js process alive while tracing (default). */
  ref(): this {
    if (!this.closed) this.tracer.ref();
    return this;
  }

  /** Lets the Node.js process exit even while tracing. */
  unref(): this {
    if (!this.closed) this.tracer.unref();
    return this;
  }

  /**
   * Detaches every probe and frees kernel resources; events already captured are still
   * delivered. Attaches in flight reject with CLOSED. Processes held by attachAll({ hold })
   * are continued. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.closed) return;
      // No new holds from here; the records of processes already held are in the ring.
      if (this.allMode) this.tracer.updateElem('exec_policy', encodeU32(0), encodeU32(ExecPolicy.watchedOnly));
      this.flush();
      this.responses?.drain();
      this.finalCounters = this.tracer.counters();
      this.finalLinks = 0;
      this.closed = true;
      this.removeAbortListener();
      this.tracer.close();
      for (const pid of this.held) resume(pid);
      this.held.clear();
      this.traced.clear();
      this.binaries.clear();
      this.images.close();
      this.binaryWatches.clear();
      this.allWatches.clear();
      this.queue.end();
      this.notices.end();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The probe of the binary at `path`, attached if needed. */
  private async probeFile(path: string, options: ResolveOptions = {}): Promise<ProbedBinary> {
    let resolved;
    try {
      resolved = await this.targets.forFile(path, options);
    } catch (error) {
      throw toSnooperError(error);
    }
    this.assertOpen();
    let binary: ProbedBinary;
    try {
      binary = await this.binaries.acquire(resolved.identity, resolved.target, path, path);
    } catch (error) {
      this.assertOpen();
      throw toSnooperError(error);
    }
    this.assertOpen();
    return binary;
  }

  /** Runs `visit` for every live PID but ours, a few at a time. */
  private async scan(visit: (pid: number) => Promise<void>): Promise<void> {
    const pids = (await this.processSource.list()).filter((pid) => pid !== process.pid);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pids.length && !this.closed) await visit(pids[next++]!).catch(() => undefined);
    };
    await Promise.all(Array.from({ length: scanConcurrency }, worker));
    this.assertOpen();
  }

  /**
   * attach() for processes found by a mode rather than named by the caller: not traceable is
   * not an error; other failures become `error` notices. In attachAll() mode, a traceable
   * binary gets a whole-binary watch, so its later processes are traced from their start.
   */
  private async attachQuietly(
    pid: number,
    via: AttachSource,
    options: ResolveOptions,
  ): Promise<AttachedProcess | undefined> {
    try {
      const attached = await this.attachProcess(pid, via, options);
      const binary = this.traced.get(pid)?.binary;
      if (this.allMode && binary && !this.allWatches.has(binary)) {
        this.allWatches.add(binary);
        this.binaries.watch(binary, 'whole');
      }
      return attached;
    } catch (error) {
      const e = toSnooperError(error, pid);
      if (this.closed || e.code === 'NO_SUCH_PROCESS' || e.code === 'CLOSED') return undefined;
      if (!notTraceable.has(e.code)) this.notices.push({ kind: 'error', pid, error: e });
      throw e;
    }
  }

  private onBatch(batch: Buffer): void {
    const outermost = !this.decoding;
    this.decoding = true;
    try {
      this.decodeBatch(batch);
    } finally {
      if (outermost) {
        this.decoding = false;
        for (const id of this.imagesToRelease.splice(0)) this.images.release(id);
      }
    }
  }

  private decodeBatch(batch: Buffer): void {
    for (const record of recordsOf(batch)) {
      try {
        if (isLifecycleRecord(record)) {
          this.onLifecycle(decodeLifecycle(record));
        } else if (isResponseRecord(record)) {
          this.responses?.response(decodeResponse(record));
        } else if (this.responses) {
          this.responses.request(decodeEvent(record, this.clock, this.images), requestKeyOf(record));
        } else if (this.queue.full) {
          // Decoding a request only to drop it would cost the consumer that is already behind.
          this.queue.dropped++;
          this.delivered++;
        } else {
          this.deliver(decodeEvent(record, this.clock, this.images));
        }
      } catch {
        this.decodeErrors++;
      }
    }
  }

  private deliver(event: HttpRequestEvent): void {
    if (this.redactor) {
      const { headers, url } = this.redactor.request(event);
      if (headers !== event.headers || url !== event.url)
        event = { ...event, headers: headers as Record<string, string>, url };
    }
    this.queue.push(event);
    this.delivered++;
  }

  private onLifecycle(record: LifecycleRecord): void {
    if (record.kind === 'exit') this.onExit(record);
    else if (record.traced || record.targetsFull) this.onWatchedExec(record);
    else this.onUnknownExec(record);
  }

  /** The kernel already deleted the process's entry; drop ours and tell consumers. */
  private onExit(record: LifecycleRecord): void {
    const traced = this.traced.get(record.pid);
    if (!traced || traced.startTime !== String(record.startTicks)) return;
    traced.exited = true;
    this.forget(traced);
    if (traced.pending) return; // its attach() rejects instead
    const status = record.replaced ? { code: null, signal: null } : exitStatusOf(record.waitStatus);
    this.notices.push({
      kind: 'exit',
      pid: record.pid,
      nsPid: traced.info.nsPid,
      ...status,
      replaced: record.replaced,
      monotonicNs: record.monotonicNs,
      time: this.clock.toDate(record.monotonicNs),
    });
  }

  /** A watched binary was exec'd and the kernel inserted (or, map full, could not insert) its entry. */
  private onWatchedExec(record: LifecycleRecord): void {
    const binary = this.binaries.get(record.binaryId);
    if (!binary) {
      if (record.traced) this.tracer.deleteTarget(record.pid); // a rule removed just before the exec
      return;
    }
    const via: AttachSource =
      binary.wholeWatchers === 0
        ? 'spawn'
        : this.allWatches.has(binary) && !this.binaryWatches.has(fileKey(binary.identity))
          ? 'all'
          : 'binary';
    if (record.targetsFull) {
      this.notices.push({
        kind: 'error',
        pid: record.pid,
        error: new SnooperError(
          'TOO_MANY_PROCESSES',
          `pid ${record.pid}: not traced, the BPF targets map is full; raise maxProcesses`,
          { pid: record.pid },
        ),
      });
      return;
    }
    const previous = this.traced.get(record.pid);
    if (previous) this.forget(previous);
    const info = infoOf(record.pid, record.nsPid, binary.exe, binary.target, via);
    const traced: TracedProcess = {
      pid: record.pid,
      startTime: String(record.startTicks),
      binary,
      info,
      pending: false,
      exited: false,
    };
    this.traced.set(record.pid, traced);
    binary.pids.add(record.pid);
    if (via === 'spawn') this.spawnedExecs.set(record.pid, info); // read (and removed) by spawn()
    this.notices.push({ kind: 'attach', pid: record.pid, nsPid: record.nsPid, via, process: info });
  }

  /** attachAll(): a binary not seen before was exec'd. Decide once per file, then let it run. */
  private onUnknownExec(record: LifecycleRecord): void {
    if (record.held) this.held.add(record.pid);
    const decided = (): void => {
      if (this.held.delete(record.pid)) resume(record.pid);
    };
    const content = contentKey(record.binary);
    if (!this.allMode || this.closed || this.untraceable.has(content)) {
      if (this.untraceable.has(content) && !this.closed) this.ignoreInKernel(record);
      decided();
      return;
    }
    this.attachQuietly(record.pid, 'all', {})
      .catch((error: unknown) => {
        if (SnooperError.isInstance(error) && notTraceable.has(error.code)) {
          this.untraceable.add(content);
          if (!this.closed) this.ignoreInKernel(record);
        }
      })
      .finally(decided);
  }

  private ignoreInKernel(record: LifecycleRecord): void {
    this.tracer.updateElem('ignored', encodeBinaryKey(record.binary), encodeIgnore(record.binary));
  }

  private assertOpen(): void {
    if (this.closed || this.closing)
      throw new SnooperError('CLOSED', 'the Snooper is closed; create a new one with Snooper.init()');
  }
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone already
  }
}

function iterate<T>(queue: EventQueue<T>, signal: AbortSignal | undefined): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: () => queue.nextOrAbort(signal),
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
