import type { NativeTracer } from '@httpwatcher/bpf-native';
import type { LifecycleRecord } from './abi/decode-lifecycle.js';
import { encodeTraced } from './abi/encode-lifecycle.js';
import { encodeProbeConfig, type ImageRange } from './abi/encode-probe-config.js';
import type { AttachedProcess, AttachSource } from './attached-process.js';
import { sameFile } from './binary-identity.js';
import type { BinaryRegistry, ProbedBinary } from './binary-registry.js';
import type { EventDelivery } from './event-delivery.js';
import { exitStatusOf } from './exit-status.js';
import type { MonotonicClock } from './monotonic-clock.js';
import { mappedAddressOf } from './process-mappings.js';
import type { ProcessSource } from './process-source.js';
import type { ProbeConfig, ProcessBinary, ResolveOptions, ProcessBinaryResolver } from './resolve-process-binary.js';
import type { ResponseJoin } from './response-join.js';
import type { TransportJoin } from './transport-join.js';
import { SnooperError } from './snooper-error.js';
import type { SnooperLifetime } from './snooper-lifetime.js';
import { toSnooperError } from './to-snooper-error.js';

interface TracedProcess {
  readonly pid: number;
  readonly startTime: string;
  readonly binary: ProbedBinary;
  readonly info: AttachedProcess;
  /** Written to the kernel, not yet confirmed to still be the process resolved. */
  pending: boolean;
  exited: boolean;
}

/** What the process table works with: the kernel, the probes, and where processes are found and reported. */
export interface ProcessTableParts {
  readonly tracer: NativeTracer;
  readonly lifetime: SnooperLifetime;
  readonly binaries: BinaryRegistry;
  readonly resolveProcessBinary: ProcessBinaryResolver;
  readonly processSource: ProcessSource;
  readonly delivery: EventDelivery;
  readonly clock: MonotonicClock;
  readonly responses: ResponseJoin | undefined;
  /** Option `transport`: open client calls of an exited process are let go there. */
  readonly transport?: TransportJoin;
  /** Decodes what the ring holds now (RecordPump.flush). */
  readonly flush: () => void;
}

function infoOf(pid: number, nsPid: number, exe: string, resolved: ProbeConfig, via: AttachSource): AttachedProcess {
  return {
    pid,
    nsPid,
    exe,
    goVersion: resolved.goVersion,
    mainModule: resolved.mainModule,
    layoutEntry: resolved.layoutEntry,
    layoutSource: resolved.layoutSource,
    probeAddress: resolved.probe.address,
    probeFileOffset: resolved.probe.fileOffset,
    warnings: resolved.warnings,
    via,
  };
}

/**
 * Where the process maps its binary's read-only data, for header strings sent as offsets into
 * it; undefined when they must be sent as bytes. A PIE's data moved with its load bias.
 */
function imageRangeOf(
  binary: ProbedBinary,
  resolved: ProcessBinary,
  pieImageAt: number | undefined,
): ImageRange | undefined {
  if (!binary.readOnlyData) return undefined;
  if (!resolved.pie) return binary.readOnlyData;
  if (pieImageAt === undefined) return undefined;
  return { vaddr: pieImageAt, sizeBytes: binary.readOnlyData.sizeBytes };
}

/**
 * The traced processes by host PID, each trusted only with its start time, and the kernel's
 * `traced_procs` entry that lets the BPF program read it. An entry is written by attach(), or by the
 * exec tracepoint for a watched binary (then only recorded here), and removed by detach(), by
 * the kernel as the process exits, or when its PID turns out to name another process.
 */
export class ProcessTable {
  private readonly traced = new Map<number, TracedProcess>();
  private readonly attaching = new Map<number, Promise<AttachedProcess>>();

  constructor(private readonly parts: ProcessTableParts) {}

  /** Processes currently traced (not those still being attached). */
  list(): AttachedProcess[] {
    return [...this.traced.values()].filter((t) => !t.pending).map((t) => t.info);
  }

  /** The probed binary a traced process runs. */
  binaryOf(pid: number): ProbedBinary | undefined {
    return this.traced.get(pid)?.binary;
  }

  /** Starts tracing `pid`; concurrent calls for one PID share one attempt. */
  attach(pid: number, via: AttachSource, options: ResolveOptions): Promise<AttachedProcess> {
    const inFlight = this.attaching.get(pid);
    if (inFlight) return inFlight;
    const attempt = this.attachNow(pid, via, options).finally(() => this.attaching.delete(pid));
    this.attaching.set(pid, attempt);
    return attempt;
  }

  private async attachNow(pid: number, via: AttachSource, options: ResolveOptions): Promise<AttachedProcess> {
    let resolved: ProcessBinary;
    try {
      resolved = await this.parts.resolveProcessBinary(pid, options);
    } catch (error) {
      throw toSnooperError(error, pid);
    }
    try {
      return await this.attachResolved(pid, resolved, via);
    } finally {
      await resolved.file.close().catch(() => undefined); // the uprobe holds the inode from now on
    }
  }

  private async attachResolved(pid: number, resolved: ProcessBinary, via: AttachSource): Promise<AttachedProcess> {
    const { tracer, lifetime, binaries } = this.parts;
    // PIE: where this process mapped the binary's read-only data (it moved with the load bias).
    const pieImageAt =
      resolved.pie && resolved.readOnlyData
        ? await mappedAddressOf(pid, resolved.binary, resolved.readOnlyData.fileOffset)
        : undefined;
    lifetime.assertOpen();
    const existing = this.traced.get(pid);
    if (existing) {
      if (existing.startTime === resolved.startTime && sameFile(existing.binary.identity, resolved.binary))
        return existing.info;
      this.release(existing); // the PID now names another process, or another program
    }
    let binary: ProbedBinary;
    try {
      binary = await binaries.acquire(resolved.file, resolved, resolved.exe);
    } catch (error) {
      lifetime.assertOpen();
      throw toSnooperError(error, pid);
    }
    lifetime.assertOpen();
    const entry: TracedProcess = {
      pid,
      startTime: resolved.startTime,
      binary,
      info: infoOf(pid, resolved.nsPid, resolved.exe, resolved, via),
      pending: true,
      exited: false,
    };
    const image = imageRangeOf(binary, resolved, pieImageAt);
    try {
      tracer.setTraced(
        pid,
        encodeTraced(
          encodeProbeConfig(
            resolved.layout,
            resolved.nsPid,
            binary.response,
            image,
            binary.transport,
            binary.xNetNesting,
          ),
          BigInt(resolved.startTime),
          binary.id,
        ),
      );
    } catch (error) {
      binaries.releaseIfUnused(binary);
      throw toSnooperError(error, pid);
    }
    this.traced.set(pid, entry);
    binary.pids.add(pid);
    // The process may have exited (and its PID been reused) or exec'd since it was resolved: the
    // BPF side would then never read it, but its entry must not linger either.
    const now = await this.parts.processSource.identify(pid).catch(() => undefined);
    if (lifetime.closed)
      throw new SnooperError('CLOSED', `pid ${pid}: the Snooper was closed during the attach`, { pid });
    if (entry.exited || !now || now.startTime !== resolved.startTime || !sameFile(now.binary, resolved.binary)) {
      if (this.traced.get(pid) === entry) this.release(entry);
      throw new SnooperError(
        'NO_SUCH_PROCESS',
        `pid ${pid}: the process exited or changed program while it was being attached`,
        { pid },
      );
    }
    entry.pending = false;
    this.parts.delivery.notify({ kind: 'attach', pid, nsPid: entry.info.nsPid, via, process: entry.info });
    return entry.info;
  }

  /** Stops tracing a process, once an attach in flight for it is done. False when it was not traced. */
  async detach(pid: number): Promise<boolean> {
    await this.attaching.get(pid)?.catch(() => undefined);
    if (this.parts.lifetime.closed) return false;
    this.parts.flush(); // an exit or exec record still in the ring may concern this PID
    const traced = this.traced.get(pid);
    if (!traced) return false;
    this.release(traced);
    return true;
  }

  /** Stops tracing each of `pids` that is traced. */
  detachAll(pids: Iterable<number>): void {
    for (const pid of [...pids]) {
      const traced = this.traced.get(pid);
      if (traced) this.release(traced);
    }
  }

  /** An exit record: the kernel already deleted the process's entry; drop ours and tell consumers. */
  onExit(record: LifecycleRecord): void {
    const traced = this.traced.get(record.pid);
    if (!traced || traced.startTime !== String(record.startTicks)) return;
    traced.exited = true;
    this.forget(traced);
    if (traced.pending) return; // its attach() rejects instead
    const status = record.replaced ? { code: null, signal: null } : exitStatusOf(record.waitStatus);
    this.parts.delivery.notify({
      kind: 'exit',
      pid: record.pid,
      nsPid: traced.info.nsPid,
      ...status,
      replaced: record.replaced,
      monotonicNs: record.monotonicNs,
      time: this.parts.clock.toDate(record.monotonicNs),
    });
  }

  /** Processes traced now (attaches in flight left out), with the start time each was traced at. */
  tracedProcesses(): Array<{ pid: number; startTime: string }> {
    const out: Array<{ pid: number; startTime: string }> = [];
    for (const t of this.traced.values()) if (!t.pending) out.push({ pid: t.pid, startTime: t.startTime });
    return out;
  }

  /**
   * A traced process found gone from /proc with no exit record (exit-sweep.ts): the record was lost
   * to a full ring, or never written. Deletes its kernel entry if still there, drops ours and tells
   * consumers, with the exit status unknown (code and signal null). False when `pid` no longer
   * names that traced process.
   */
  onGone(pid: number, startTime: string, monotonicNs: bigint): boolean {
    const traced = this.traced.get(pid);
    if (!traced || traced.pending || traced.startTime !== startTime) return false;
    traced.exited = true;
    this.release(traced);
    this.parts.delivery.notify({
      kind: 'exit',
      pid,
      nsPid: traced.info.nsPid,
      code: null,
      signal: null,
      replaced: false,
      monotonicNs,
      time: this.parts.clock.toDate(monotonicNs),
    });
    return true;
  }

  /** An exec record of a watched binary: the kernel inserted the process's entry; record it here. */
  onTracedExec(record: LifecycleRecord, binary: ProbedBinary, via: AttachSource): AttachedProcess {
    const previous = this.traced.get(record.pid);
    if (previous) this.forget(previous);
    const info = infoOf(record.pid, record.nsPid, binary.exe, binary.probeConfig, via);
    this.traced.set(record.pid, {
      pid: record.pid,
      startTime: String(record.startTicks),
      binary,
      info,
      pending: false,
      exited: false,
    });
    binary.pids.add(record.pid);
    return info;
  }

  /** Forgets every process without touching the kernel (the tracer was closed). */
  clear(): void {
    this.traced.clear();
  }

  private release(traced: TracedProcess): void {
    this.parts.tracer.deleteTraced(traced.pid);
    this.forget(traced);
  }

  /** Drops user-space state of a process whose kernel entry is gone. */
  private forget(traced: TracedProcess): void {
    // The transport join first: with responses, the calls it lets go wait in the response join.
    this.parts.transport?.processExited(traced.pid);
    this.parts.responses?.processExited(traced.pid); // its calls in flight will not be seen returning
    if (this.traced.get(traced.pid) === traced) this.traced.delete(traced.pid);
    traced.binary.pids.delete(traced.pid);
    this.parts.binaries.releaseIfUnused(traced.binary);
  }
}
