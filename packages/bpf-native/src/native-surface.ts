/**
 * The private surface of the compiled addon (src/*.cc), typed in this one file. Nothing else
 * in TypeScript touches the untyped module object.
 */
export interface TracerOptions {
  /** Ring buffer size in bytes: a power of two, a multiple of the page size. */
  readonly ringBytes: number;
  /** The BPF side forces a reader wakeup once this many bytes are pending. */
  readonly wakeupBytes: number;
  /** Capacity of the per-process targets map. */
  readonly maxTargets: number;
  /** Period of the timed drain that bounds delivery latency below `wakeupBytes`. */
  readonly flushIntervalMs: number;
}

export interface NativeTracer {
  /** Writes a `struct hw_target` (bpf/httpwatcher.h) for a host PID. */
  setTarget(pid: number, config: Buffer): void;
  /** Removes a PID's target; false when it was not there. */
  deleteTarget(pid: number): boolean;
  /** Attaches the probe at `fileOffset` of `binaryPath`; `pid` -1 means every process. Returns a link id. */
  attachUprobe(binaryPath: string, fileOffset: number, pid: number): number;
  detach(linkId: number): boolean;
  linkCount(): number;
  /** Starts delivery: each call of `onBatch` carries records framed as [u32 size][record][pad to 8]. */
  start(onBatch: (batch: Buffer) => void): void;
  /** Drains the ring now and returns the batch instead of calling `onBatch`; null when empty. */
  flush(): Buffer | null;
  /** Per-CPU counters summed, indexed by `enum hw_counter` in bpf/httpwatcher.h. */
  counters(): number[];
  ref(): void;
  unref(): void;
  /** Stops delivery, detaches every uprobe, frees the maps. Idempotent. */
  close(): void;
}

export interface NativeAddon {
  readonly Tracer: new (objectPath: string, options: TracerOptions) => NativeTracer;
  readonly libbpfVersion: string;
}
