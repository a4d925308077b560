import type { NativeBinding, NativeTracer, TracerOptions } from '@httpwatcher/bpf-native';
import { counterIndex } from './bpf-abi.js';
import { decodeEvent, recordsOf } from './decode-event.js';
import { encodeTarget } from './encode-target.js';
import { EventQueue } from './event-queue.js';
import type { HttpRequestEvent } from './http-event.js';
import { MonotonicClock } from './monotonic-clock.js';
import { resolveTarget as defaultResolveTarget, type ResolveOptions, type ResolvedTarget, type TargetResolver } from './resolve-target.js';
import { SnooperError } from './snooper-error.js';
import { toSnooperError } from './to-snooper-error.js';

export interface SnooperOptions {
  /** Aborting closes the Snooper. */
  signal?: AbortSignal;
  /** Events buffered for consumers before new ones are dropped (counted in stats().queueDrops). */
  maxQueue?: number;
  /** Kernel ring buffer size in bytes (power of two). */
  ringBufferBytes?: number;
  /** Upper bound on the delay between a request and its event reaching JavaScript. */
  flushIntervalMs?: number;
  /** How many processes can be traced at once. */
  maxProcesses?: number;
  /** The native layer; tests pass a fake. Defaults to @httpwatcher/bpf-native. */
  binding?: NativeBinding;
  /** How a PID becomes a probe location and layout; tests may substitute it. */
  resolveTarget?: TargetResolver;
}

export interface AttachedProcess {
  readonly pid: number;
  readonly nsPid: number;
  readonly exe: string;
  readonly goVersion: string;
  readonly layoutEntry: string;
  readonly layoutSource: 'table' | 'dwarf';
  readonly probeAddress: number;
  readonly probeFileOffset: number;
  readonly warnings: readonly string[];
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
}

interface Traced {
  target: ResolvedTarget;
  linkId: number;
  info: AttachedProcess;
}

async function loadDefaultBinding(): Promise<NativeBinding> {
  const native = await import('@httpwatcher/bpf-native');
  return {
    openTracer: native.openTracer,
    get libbpfVersion() {
      return native.loadAddon().libbpfVersion;
    },
  };
}

/** Traces outbound HTTP requests of Go processes. */
export class Snooper implements AsyncDisposable {
  private readonly queue: EventQueue<HttpRequestEvent>;
  private readonly traced = new Map<number, Traced>();
  private readonly attaching = new Map<number, Promise<AttachedProcess>>();
  private readonly clock = new MonotonicClock();
  private readonly resolveTarget: TargetResolver;
  private closed = false;
  private closing: Promise<void> | undefined;
  private delivered = 0;
  private decodeErrors = 0;
  private readonly removeAbortListener: () => void;

  private constructor(
    private readonly tracer: NativeTracer,
    options: SnooperOptions,
  ) {
    this.queue = new EventQueue(options.maxQueue ?? 65_536);
    this.resolveTarget = options.resolveTarget ?? defaultResolveTarget;
    const signal = options.signal;
    const onAbort = (): void => void this.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.removeAbortListener = () => signal?.removeEventListener('abort', onAbort);
    tracer.start((batch) => this.onBatch(batch));
  }

  /** Loads the BPF program into the kernel. Rejects with PERMISSION_DENIED without root/CAP_BPF+CAP_PERFMON. */
  static async init(options: SnooperOptions = {}): Promise<Snooper> {
    if (options.signal?.aborted) throw new SnooperError('CLOSED', 'the abort signal was already aborted');
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
      if (code === 'NATIVE_ADDON_MISSING') throw new SnooperError('NATIVE_ADDON_MISSING', (cause as Error).message, { cause });
      throw new SnooperError('BPF_LOAD_FAILED', `loading the BPF program failed: ${(cause as Error).message}`, { cause });
    }
    return new Snooper(tracer, options);
  }

  /**
   * Starts tracing a process. Idempotent: attaching a process that is already traced returns
   * the same result and adds nothing. A failed attach leaves nothing behind.
   */
  async attach(pid: number, options: ResolveOptions = {}): Promise<AttachedProcess> {
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new SnooperError('INVALID_ARGUMENT', `pid must be a positive integer, got ${String(pid)}`);
    }
    this.assertOpen();
    const inFlight = this.attaching.get(pid);
    if (inFlight) return inFlight;
    const attempt = this.doAttach(pid, options).finally(() => this.attaching.delete(pid));
    this.attaching.set(pid, attempt);
    return attempt;
  }

  private async doAttach(pid: number, options: ResolveOptions): Promise<AttachedProcess> {
    let target: ResolvedTarget;
    try {
      target = await this.resolveTarget(pid, options);
    } catch (error) {
      throw toSnooperError(error, pid);
    }
    this.assertOpen();
    const existing = this.traced.get(pid);
    if (existing) {
      if (existing.target.startTime === target.startTime) return existing.info;
      // The PID was reused by a new process: drop the old one's state first.
      this.release(pid, existing);
    }
    let linkId: number | undefined;
    try {
      this.tracer.setTarget(pid, encodeTarget(target.layout, target.nsPid));
      linkId = this.tracer.attachUprobe(target.attachPath, target.probe.fileOffset, pid);
    } catch (error) {
      if (!this.closed) this.tracer.deleteTarget(pid);
      throw toSnooperError(error, pid);
    }
    const info: AttachedProcess = {
      pid,
      nsPid: target.nsPid,
      exe: target.exe,
      goVersion: target.goVersion,
      layoutEntry: target.layoutEntry,
      layoutSource: target.layoutSource,
      probeAddress: target.probe.address,
      probeFileOffset: target.probe.fileOffset,
      warnings: target.warnings,
    };
    this.traced.set(pid, { target, linkId, info });
    return info;
  }

  /** Stops tracing a process. Resolves false when it was not traced. */
  async detach(pid: number): Promise<boolean> {
    this.assertOpen();
    await this.attaching.get(pid)?.catch(() => undefined);
    const traced = this.traced.get(pid);
    if (!traced) return false;
    this.release(pid, traced);
    return true;
  }

  private release(pid: number, traced: Traced): void {
    this.tracer.detach(traced.linkId);
    this.tracer.deleteTarget(pid);
    this.traced.delete(pid);
  }

  /** Processes currently traced. */
  processes(): AttachedProcess[] {
    return [...this.traced.values()].map((t) => t.info);
  }

  /**
   * Requests as they happen. Iterators share one queue (each event goes to one consumer) and
   * end after close() once the queue is drained; aborting `signal` ends just this iterator.
   */
  events(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<HttpRequestEvent> {
    const queue = this.queue;
    const signal = options.signal;
    const iterator: AsyncIterableIterator<HttpRequestEvent> = {
      next: () => queue.nextOrAbort(signal),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Moves every record already in the kernel ring into the queue now. */
  flush(): void {
    if (this.closed) return;
    const batch = this.tracer.flush();
    if (batch) this.onBatch(batch);
  }

  stats(): SnooperStats {
    const counters = this.closed ? undefined : this.tracer.counters();
    return {
      events: this.delivered,
      kernelDrops: counters?.[counterIndex.ringDrops] ?? this.finalCounters[counterIndex.ringDrops] ?? 0,
      queueDrops: this.queue.dropped,
      readErrors: counters?.[counterIndex.readErrors] ?? this.finalCounters[counterIndex.readErrors] ?? 0,
      decodeErrors: this.decodeErrors,
      hits: counters?.[counterIndex.hits] ?? this.finalCounters[counterIndex.hits] ?? 0,
      processes: this.traced.size,
    };
  }

  private finalCounters: number[] = [];

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

  /** Detaches every probe and frees kernel resources; events already captured are still delivered. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.closed) return;
      this.flush();
      this.finalCounters = this.tracer.counters();
      this.closed = true;
      this.removeAbortListener();
      this.tracer.close();
      this.traced.clear();
      this.queue.end();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private onBatch(batch: Buffer): void {
    for (const record of recordsOf(batch)) {
      try {
        this.queue.push(decodeEvent(record, this.clock));
        this.delivered++;
      } catch {
        this.decodeErrors++;
      }
    }
  }

  private assertOpen(): void {
    if (this.closed || this.closing) throw new SnooperError('CLOSED', 'the Snooper is closed; create a new one with Snooper.init()');
  }
}
