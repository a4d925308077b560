import type {
  HeldResume,
  HoldGuardian,
  NativeBinding,
  NativeTracer,
  SharedMapName,
  TracerOptions,
  UprobeProgram,
} from '@httpwatcher/bpf-native';
import { sharedMapNames } from '@httpwatcher/bpf-native';
import { resolveLayout } from '@httpwatcher/go-offsets';
import { tracedLayout } from '../abi/bpf-abi.js';
import type { OpenBinary } from '../binary-file.js';
import type { BinaryIdentity } from '../binary-identity.js';
import type { ProcessSnapshot, ProcessSource } from '../process-source.js';
import type { ProcessBinary, ProcessBinaryResolver } from '../resolve-process-binary.js';
import { batchOf, FakeShapeIds, lifecycleRecord } from './ring-records.js';

/**
 * An in-memory NativeTracer: maps as dictionaries, links as ids, the ring as a list of records
 * the test queues. It enforces what the kernel would: map capacity and closed-ness.
 */
export class FakeTracer implements NativeTracer {
  readonly maps = new Map<SharedMapName, Map<string, Buffer>>();
  readonly links = new Map<
    number,
    { path: string; fileOffset: number; pid: number; cookie: number; program: UprobeProgram }
  >();
  private nextLink = 1;
  private ring: Buffer[] = [];
  /** Shape ids for the records of flush(), as the addon writes them into their frames. */
  private readonly shapeIds = new FakeShapeIds();
  closed = false;
  /** While set, uprobe attaches stay in flight until it resolves (as a slow kernel registration would). */
  attachGate: Promise<void> | undefined;
  /** Makes the next attachUprobe throw this error. */
  failNextAttach: Error | undefined;

  constructor(readonly options: Partial<TracerOptions> = {}) {
    for (const name of sharedMapNames) this.maps.set(name, new Map());
  }

  private check(): void {
    if (this.closed) throw Object.assign(new Error('the tracer is closed'), { code: 'ERR_CLOSED' });
  }

  private map(name: SharedMapName): Map<string, Buffer> {
    return this.maps.get(name)!;
  }

  setTraced(pid: number, traced: Buffer): void {
    this.updateElem('traced_procs', pidKey(pid), traced);
  }
  deleteTraced(pid: number): boolean {
    return this.deleteElem('traced_procs', pidKey(pid));
  }
  /** max_entries as the addon sets them from the options (bpf-native's defaultTracerOptions otherwise). */
  capacityOf(name: SharedMapName): number {
    if (name === 'traced_procs') return this.options.maxProcesses ?? 1024;
    if (name === 'watched' || name === 'probe_configs') return this.options.maxBinaries ?? 1024;
    if (name === 'ignored') return this.options.maxUntraceable ?? 8192;
    return 1024;
  }
  updateElem(name: SharedMapName, key: Buffer, value: Buffer): void {
    this.check();
    const map = this.map(name);
    const capacity = this.capacityOf(name);
    if (!map.has(key.toString('hex')) && map.size >= capacity)
      throw Object.assign(new Error('map full'), { code: 'E2BIG' });
    map.set(key.toString('hex'), Buffer.from(value));
  }
  deleteElem(name: SharedMapName, key: Buffer): boolean {
    this.check();
    return this.map(name).delete(key.toString('hex'));
  }
  countElems(name: SharedMapName): number {
    this.check();
    return this.map(name).size;
  }
  heldMapFd(): number {
    this.check();
    return -1;
  }
  /** PIDs resumed through resumeHeld/resumeAllHeld, in order. */
  readonly resumed: number[] = [];
  resumeHeld(pid: number): HeldResume {
    this.check();
    if (!this.map('held').delete(pidKey(pid).toString('hex'))) return 'not-held';
    this.resumed.push(pid);
    return 'resumed';
  }
  resumeAllHeld(): number {
    this.check();
    const pids = [...this.map('held').keys()].map((hex) => Buffer.from(hex, 'hex').readUInt32LE(0));
    for (const pid of pids) this.resumeHeld(pid);
    return pids.length;
  }
  /** The guardian PIDs the addon's watch was given (the fake guardians play their deaths themselves). */
  readonly watchedGuardians: number[] = [];
  watchGuardian(pid: number): void {
    this.check();
    this.watchedGuardians.push(pid);
  }
  /** What the exec program does before it stops a process: the `held` entry. */
  hold(pid: number): void {
    this.map('held').set(pidKey(pid).toString('hex'), Buffer.alloc(16));
  }
  /** Like the addon: arguments are checked at once, the attach itself completes later (a microtask here). */
  attachUprobe(
    path: string,
    fileOffset: number,
    pid: number,
    cookie = 0,
    program: UprobeProgram = 'client_do',
  ): Promise<number> {
    this.check();
    const failure = this.failNextAttach;
    this.failNextAttach = undefined;
    return (this.attachGate ?? Promise.resolve()).then(() => {
      if (this.closed) throw Object.assign(new Error('the tracer was closed while attaching'), { code: 'ERR_CLOSED' });
      if (failure) throw failure;
      const id = this.nextLink++;
      this.links.set(id, { path, fileOffset, pid, cookie, program });
      return id;
    });
  }
  detach(linkId: number): boolean {
    this.check();
    return this.links.delete(linkId);
  }
  linkCount(): number {
    return this.links.size;
  }
  detachesInFlight(): number {
    return 0;
  }
  start(): void {}
  flush(): Buffer | null {
    this.check();
    if (this.ring.length === 0) return null;
    const batch = batchOf(
      this.ring,
      this.ring.map((record) => this.shapeIds.idOf(record)),
    );
    this.ring = [];
    return batch;
  }
  counters(): number[] {
    this.check();
    return [0, 0, 0, 0, 0];
  }
  ref(): void {}
  unref(): void {}
  close(): void {
    this.closed = true;
  }

  /** What the kernel's exit program does for a traced process: delete its entry, queue a record. */
  exit(pid: number, waitStatus = 0): void {
    const entry = this.map('traced_procs').get(pidKey(pid).toString('hex'));
    if (!entry) return;
    this.map('traced_procs').delete(pidKey(pid).toString('hex'));
    this.ring.push(
      lifecycleRecord({
        kind: 'exit',
        pid,
        waitStatus,
        binaryId: entry.readUInt32LE(tracedLayout.binaryId),
        startTicks: entry.readBigUInt64LE(tracedLayout.startTicks),
      }),
    );
  }

  /** Queues a record as a BPF program would write it into the ring. */
  push(record: Buffer): void {
    this.ring.push(record);
  }

  /** The start time written for a PID's traced_procs entry, or undefined. */
  startTicksOf(pid: number): bigint | undefined {
    return this.map('traced_procs').get(pidKey(pid).toString('hex'))?.readBigUInt64LE(tracedLayout.startTicks);
  }
}

function pidKey(pid: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(pid);
  return key;
}

/** A hold guardian that resumes nothing by itself; tests call exit() to play its death. */
export class FakeGuardian implements HoldGuardian {
  readonly pid = 99_999;
  readonly cgroupEscape = 'moved';
  stopped = false;
  private resolveExit!: () => void;
  readonly exited = new Promise<void>((resolve) => (this.resolveExit = resolve));
  constructor(readonly timeoutMs: number) {}
  exit(): void {
    this.resolveExit();
  }
  stop(): Promise<void> {
    this.stopped = true;
    this.exit();
    return this.exited;
  }
}

export function fakeBinding(tracer: FakeTracer): NativeBinding & { guardians: FakeGuardian[] } {
  const guardians: FakeGuardian[] = [];
  return {
    openTracer: () => tracer,
    libbpfVersion: 'fake',
    guardians,
    startHoldGuardian: async (_tracer, timeoutMs) => {
      const guardian = new FakeGuardian(timeoutMs);
      guardians.push(guardian);
      return guardian;
    },
  };
}

/** A world of fake processes: what the resolver and the process source both see. */
export class FakeProcesses implements ProcessSource {
  readonly live = new Map<number, { startTime: string; binary: BinaryIdentity }>();
  resolutions = 0;
  /** Delay of each resolution, to hold an attach in flight. */
  resolveDelayMs = 0;

  start(pid: number, startTime: string, binary: BinaryIdentity = fakeBinary(1n)): void {
    this.live.set(pid, { startTime, binary });
  }

  async identify(pid: number): Promise<ProcessSnapshot | undefined> {
    const p = this.live.get(pid);
    return p && { pid, startTime: p.startTime, binary: p.binary };
  }

  async list(): Promise<number[]> {
    return [...this.live.keys()];
  }

  readonly resolve: ProcessBinaryResolver = async (pid) => {
    this.resolutions++;
    if (this.resolveDelayMs) await new Promise((r) => setTimeout(r, this.resolveDelayMs));
    const p = this.live.get(pid);
    if (!p) throw Object.assign(new Error(`pid ${pid}: no such process`), { code: 'ESRCH' });
    return fakeProcessBinary(pid, p.startTime, p.binary);
  };
}

export function fakeBinary(ino: bigint): BinaryIdentity {
  return { dev: 0x800001n, ino, mtimeSec: 1n, mtimeNsec: 0, sizeBytes: 0x10000n };
}

/**
 * An open executable in memory: `code(offset)` is its byte at `offset` (default one-byte nops, so
 * every offset is an instruction start). `closed` tells whether whoever resolved it let it go.
 */
export function fakeFile(
  identity: BinaryIdentity,
  code: (offset: number) => number = () => 0x90,
): OpenBinary & {
  closed: boolean;
} {
  return {
    identity,
    fd: 100 + Number(identity.ino),
    attachPath: `/proc/4000/fd/${100 + Number(identity.ino)}`,
    closed: false,
    async read(offset, length) {
      return Buffer.from(Array.from({ length }, (_, i) => code(offset + i)));
    },
    async reopen() {
      return fakeFile(identity, code);
    },
    async close() {
      this.closed = true;
    },
  };
}

const layout = resolveLayout({ goVersion: 'go1.24.0', arch: 'amd64' });

export function fakeProcessBinary(pid: number, startTime: string, binary: BinaryIdentity): ProcessBinary {
  const site = Number(binary.ino % 0x100n);
  return {
    pid,
    startTime,
    nsPid: pid,
    exe: `/fake/${binary.ino}`,
    binary,
    file: fakeFile(binary),
    goVersion: 'go1.24.0',
    mainModule: 'example.test/fake',
    arch: 'amd64',
    layout: layout.layout,
    layoutEntry: layout.entry,
    layoutSource: 'table',
    // Inside probeFunction, whatever the inode number (a test may use a real file's)
    probe: { address: 0x401000 + site, fileOffset: 0x1000 + site, afterStackCheck: true },
    entry: 'client',
    probeFunction: { address: 0x401000, fileOffset: 0x1000, sizeBytes: 0x400 },
    warnings: [],
  };
}
