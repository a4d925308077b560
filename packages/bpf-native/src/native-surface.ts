/**
 * The private surface of the compiled addon (src/*.cc), typed in this one file. Nothing else
 * in TypeScript touches the untyped module object.
 */
export interface TracerOptions {
  /** Ring buffer size in bytes: a power of two, a multiple of the page size. */
  readonly ringBytes: number;
  /** The BPF side forces a reader wakeup once this many bytes are pending. */
  readonly wakeupBytes: number;
  /**
   * How many bytes of records the addon's drain thread may hold beyond the ring while JavaScript
   * is behind (spill-queue.h); past it the ring fills and the kernel counts what it refuses.
   */
  readonly spillBytes: number;
  /** Capacity of the per-process `traced_procs` map (processes traced at once). */
  readonly maxProcesses: number;
  /** Capacity of the `watched` and `probe_configs` maps (binaries probed at once). */
  readonly maxBinaries: number;
  /** Capacity of the `ignored` LRU map (binaries known not traceable; the least recently used go first). */
  readonly maxUntraceable: number;
  /** Period of the timed drain that bounds delivery latency below `wakeupBytes`. */
  readonly flushIntervalMs: number;
}

/**
 * The two builds of the BPF program (docs/kernels.md): `default` for Linux 5.17 and later, `compat`
 * for Linux 5.8 to 5.16 (no bpf_loop, BPF cookies or BTF-typed task; checks each hit against the
 * `probe_sites` map instead of the uprobe's cookie).
 */
export type BpfBuild = 'default' | 'compat';

/** How resumeHeld() ended. */
export type HeldResume = 'resumed' | 'not-held' | 'gone';

/** The uprobe programs of bpf/httpwatcher.bpf.c (HW_UPROBE_PROGRAMS in bpf/httpwatcher.h). */
export const uprobePrograms = [
  'client_do',
  'client_do_return',
  'transport_round_trip',
  'transport_round_trip_return',
  'h2_round_trip',
] as const;
export type UprobeProgram = (typeof uprobePrograms)[number];

/**
 * BPF maps JavaScript reads and writes by name (HW_SHARED_MAPS in bpf/httpwatcher.h); keys and
 * values as in that header.
 */
export const sharedMapNames = [
  'traced_procs',
  'watched',
  'probe_configs',
  'ignored',
  'exec_policy',
  'held',
  'probe_sites',
] as const;
export type SharedMapName = (typeof sharedMapNames)[number];

/** The names the addon looks up in the BPF object, as bpf/httpwatcher.h gives them. */
export interface ObjectNames {
  /** Every map of the object (HW_MAPS). */
  readonly maps: readonly string[];
  readonly sharedMaps: readonly SharedMapName[];
  readonly uprobePrograms: readonly UprobeProgram[];
  /** Raw tracepoint programs attached for the tracer's whole life (HW_LIFECYCLE_PROGRAMS). */
  readonly lifecyclePrograms: readonly string[];
  /** The program attachUprobe uses when none is named. */
  readonly entryProgram: UprobeProgram;
  /** Slots of the `counters` array: `enum hw_counter`'s HW_NCOUNTERS. */
  readonly counterCount: number;
}

/**
 * Arguments are checked, never cast: a value of the wrong type throws a TypeError with code
 * ERR_INVALID_ARG_TYPE; a number that is NaN, fractional or out of range a RangeError with code
 * ERR_OUT_OF_RANGE; a buffer size or name the BPF object does not have a RangeError with code
 * ERR_INVALID_ARG_VALUE. Calls on a closed tracer throw code ERR_CLOSED. Kernel and libbpf failures
 * carry the errno name as `code` (EPERM, ENOENT, ...), `errno`, `operation` and `libbpfLog`.
 */
export interface NativeTracer {
  /** Writes a `struct hw_traced` (bpf/httpwatcher.h) for a host PID into the `traced_procs` map. */
  setTraced(pid: number, traced: Buffer): void;
  /** Removes a PID's `traced_procs` entry; false when it was not there. */
  deleteTraced(pid: number): boolean;
  /** `bpf_map_update_elem(BPF_ANY)`; throws RangeError when a buffer's size is not the map's. */
  updateElem(map: SharedMapName, key: Buffer, value: Buffer): void;
  /** Deletes a key; false when it was not there. */
  deleteElem(map: SharedMapName, key: Buffer): boolean;
  /** Entries present in a hash map (max_entries for an array). */
  countElems(map: SharedMapName): number;
  /** The `held` map's descriptor, for the hold guardian to inherit; it stays owned by the tracer. */
  heldMapFd(): number;
  /**
   * Takes `pid`'s entry out of the `held` map, then sends SIGCONT through a pidfd if the process's
   * start time is still the one recorded when it was stopped. `not-held`: the guardian (or an
   * earlier call) took it first; `gone`: exited or the PID was reused, nothing was sent.
   */
  resumeHeld(pid: number): HeldResume;
  /** Resumes every process in the `held` map, checked as resumeHeld does; returns how many were. */
  resumeAllHeld(): number;
  /**
   * Watches the hold guardian `pid` from a thread of the addon: if it exits before close(), the
   * exec policy stops holding and every held process is resumed there and then, whatever the
   * JavaScript thread is doing. Replaces an earlier watch; close() ends it.
   */
  watchGuardian(pid: number): void;
  /**
   * Attaches the probe at `fileOffset` of `binaryPath` (an integer from 0 to 2^53 - 1); `pid` -1
   * means every process mapping the file. `cookie` is what the program compares with a process's `hw_traced.binary_id`. `program`:
   * `client_do` (default, the entry), `transport_round_trip` (the transport's entry), `client_do_return` or
   * `transport_round_trip_return` (a plain uprobe on one return instruction of either; uretprobes are never used). Resolves to a link id. The kernel's registration runs on libuv's
   * thread pool: it may wait for an earlier unregistration of the same offset (an RCU grace period).
   * Rejects with code ERR_CLOSED when the tracer is closed meanwhile.
   */
  attachUprobe(
    binaryPath: string,
    fileOffset: number,
    pid: number,
    cookie?: number,
    program?: UprobeProgram,
  ): Promise<number>;
  /**
   * Detaches a uprobe: it stops firing for this tracer at once; its kernel objects are freed on a
   * background thread (unregistering waits for an RCU grace period, ~100 ms), or on this one when
   * no thread can be created. False for an unknown id.
   */
  detach(linkId: number): boolean;
  /** Uprobe links held (the exec and exit tracepoints are not counted). */
  linkCount(): number;
  /** Detached links whose kernel objects are still being freed (see detach). */
  detachesInFlight(): number;
  /**
   * Starts delivery: each call of `onBatch` carries records framed as [u32 size][u32 shape id][record][pad to 8].
   * A request record's shape id is the same as an earlier one's exactly when the two records are
   * equal outside their call's fields (time, goroutine id, request pointer, process and thread
   * ids, goroutine pointer): JavaScript decodes each shape once (src/shape-ids.h). 0 for other
   * records. Ids repeat only after 2^32 - 1 new shapes.
   * An exception `onBatch` throws is reported as Node reports one thrown by any callback of the
   * event loop: on `process` as 'uncaughtException' (without a listener Node prints it and exits
   * with code 1). Delivery goes on with the next batch.
   */
  start(onBatch: (batch: Buffer) => void): void;
  /** Drains the ring and the spill now and returns them as one batch instead of calling `onBatch`; null when empty. */
  flush(): Buffer | null;
  /**
   * The most bytes the drain thread has held at once beyond the ring for JavaScript (`spillBytes`
   * bounds it). Optional so that fakes need not offer it.
   */
  spillPeakBytes?(): number;
  /** Per-CPU counters summed, indexed by `enum hw_counter` in bpf/httpwatcher.h. */
  counters(): number[];
  ref(): void;
  unref(): void;
  /**
   * Returns the free pages of every malloc arena of this process to the kernel (glibc's
   * malloc_trim): a thread that exited, such as the binary analysis worker, leaves what it freed
   * resident in its arena. Whether anything was returned; false without glibc. Works after close().
   * Optional so that fakes need not offer it.
   */
  releaseFreeMemory?(): boolean;
  /** Stops delivery, detaches every uprobe, frees the maps. Idempotent. */
  close(): void;
}

/**
 * What `kernelFeatures()` found: the kernel release (uname) and, per feature the BPF program needs,
 * true (present), false (absent) or null (the probe itself failed, e.g. without privileges).
 * Features: `btf` (kernel BTF libbpf can load), `uprobes` (the uprobe event source in sysfs),
 * `ringbuf` (the ring buffer map), and each helper the programs call by its name
 * (`bpf_loop`, `bpf_get_current_task_btf`, `bpf_get_attach_cookie`, ...).
 */
export interface KernelFeatureReport {
  readonly release: string;
  readonly features: Readonly<Record<string, boolean | null>>;
}

export interface NativeAddon {
  readonly Tracer: new (objectPath: string, options: TracerOptions) => NativeTracer;
  /** Probes the running kernel with libbpf's probing API (loads tiny programs; needs CAP_BPF). */
  kernelFeatures(): KernelFeatureReport;
  /**
   * Fixes glibc's mmap and trim thresholds for the whole process (mallopt), which glibc otherwise
   * raises as large blocks are freed, so that an exited thread's arena keeps at most
   * `trimThresholdBytes` of free memory resident. False without glibc.
   */
  limitMallocRetention(mmapThresholdBytes: number, trimThresholdBytes: number): boolean;
  /**
   * Raises the kernel buffer of the pipe `fd` is an end of to at least `bytes` (fcntl
   * F_SETPIPE_SZ; the kernel rounds up to a power of two pages) and returns its capacity; a pipe
   * already as large is left as it is. Throws the errno error (EBADF: `fd` is not a pipe; EPERM:
   * over the pipe-max-size limit or the user's pipe pages).
   */
  growPipe(fd: number, bytes: number): number;
  readonly libbpfVersion: string;
  readonly objectNames: ObjectNames;
}
