import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { NativeBinding } from '@httpwatcher/bpf-native';
import type { AttachedProcess } from './attached-process.js';
import type { ExitStatus } from './exit-status.js';
import type { ProcessSource } from './process-source.js';
import type { ResolveOptions, ProcessBinaryResolver } from './resolve-process-binary.js';
import type { RedactNames } from './redact.js';
import type { Capabilities } from './tracing-capabilities.js';

export interface SnooperOptions {
  /** Aborting closes the Snooper. */
  signal?: AbortSignal;
  /** Events buffered for consumers before new ones are dropped (counted in stats().queueDrops). */
  maxQueue?: number;
  /**
   * Past `maxQueue`, request records wait undecoded (their ring bytes, about 330 for a request
   * with 8 headers, against several times that for an event) until consumers catch up, up to
   * this many bytes; only then are requests dropped. With `response` or `transport` requests are
   * decoded to be joined, and wait as events, each counted at about 1.5 KB for 8 headers against
   * the same budget. Default 0: dropped at once.
   */
  queueBacklogBytes?: number;
  /**
   * Called with the PID of each request dropped from the queue (counted in stats().queueDrops):
   * read from its record without decoding the rest, or from the event when a decoded request
   * (`response`, `transport`) finds the queue full.
   */
  onQueueDrop?: (pid: number) => void;
  /**
   * Every request record waits undecoded in the backlog (`queueBacklogBytes`, the only bound:
   * `maxQueue` does not apply) until a consumer takes it with `requestViews()` (or `events()`),
   * instead of being decoded into an event as it arrives. For consumers at a client's full rate:
   * a waiting request costs its ring bytes, and a view builds no event object. Not with `response`
   * or `transport` (INVALID_ARGUMENT).
   */
  requestViews?: boolean;
  /**
   * Which build of the BPF program to load (docs/kernels.md): `auto` (the default) loads the
   * default build where the kernel has bpf_loop, BPF cookies and the BTF-typed task (Linux 5.17+)
   * and the compat build otherwise (Linux 5.8 to 5.16); `default` or `compat` loads that one.
   */
  bpfBuild?: 'auto' | 'default' | 'compat';
  /**
   * Kernel ring buffer size in bytes (power of two, a multiple of the page size). Default 8 MiB.
   * Its pages are resident for the Snooper's whole life.
   */
  ringBufferBytes?: number;
  /**
   * How many bytes of records a thread of the addon may move out of the kernel ring while
   * JavaScript is busy (a long batch, a garbage collection), so that a small ring does not fill.
   * Taken only while JavaScript is behind, and given back as it catches up; past it the ring fills
   * and the kernel's drops are counted in stats().kernelDrops. Default 64 MiB.
   */
  spillBufferBytes?: number;
  /** Upper bound on the delay between a request and its event reaching JavaScript. */
  flushIntervalMs?: number;
  /**
   * How often traced processes are looked for in /proc, in ms (default 10,000). One that is gone
   * although its exit record never came (a full ring refused it: stats().kernelDrops) is let go
   * then: its kernel entry and probe go, and an `exit` notice comes with code and signal null,
   * counted in stats().exitsSwept. Only with a `processes` source that has `startTimeOf` (the
   * default one has).
   */
  exitSweepMs?: number;
  /** How many processes can be traced at once (the BPF traced_procs map's capacity). Default 1024. */
  maxProcesses?: number;
  /**
   * How many binaries can be probed at once (the capacity of the BPF `watched` and `probe_configs`
   * maps, set before the program loads), 1 to 1048576. Default 1024. A binary's probe, layout, exec
   * rule and open file go once its last process is gone (see `probeLingerMs`); when every probed
   * binary is still in use, a new one is not traced: TOO_MANY_BINARIES (an `error` notice under
   * attachBinary/attachAll), counted in stats().binariesRefused.
   */
  maxBinaries?: number;
  /**
   * How many binaries attachAll() remembers as not traceable (not Go, no net/http client), so that
   * their execs cost nothing after the first (the BPF `ignored` map, least recently used first out),
   * 1 to 1048576. Default 8192. One forgotten is examined again at its next exec (from a cache).
   */
  maxUntraceable?: number;
  /**
   * How long a binary's uprobe stays attached after its last traced process is gone. Default 0:
   * released at once, except for binaries attachAll() found, which stay 1000 ms (a program run over
   * and over by a script keeps its probe). Creating a uprobe waits for an RCU grace period (tens of
   * milliseconds, more on a loaded machine), so callers that detach and re-attach often may keep
   * probes a while.
   */
  probeLingerMs?: number;
  /** The native layer; tests pass a fake. Defaults to @httpwatcher/bpf-native. */
  binding?: NativeBinding;
  /**
   * The effective capabilities (CapEff bit mask) the privilege checks use; tests may substitute
   * them. Defaults to this process's own, and to no check when `binding` is given.
   */
  capabilities?: Capabilities;
  /** How a PID becomes a probe location and layout; tests may substitute it. Defaults to a per-file cache. */
  resolveProcessBinary?: ProcessBinaryResolver;
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
   * Also probe net/http.(*Transport).roundTrip: every request the standard transport sends is an
   * event, with `via`, `hop` and `originalUrl` (docs/transport-probes.md). Requests of a program
   * that calls `Transport.RoundTrip` without http.Client (a reverse proxy) are seen, and each
   * redirect hop of a Client.Do call is its own event showing the request as sent. With `response`,
   * each of those events gets the status, error and duration of its own request on the wire (the
   * return of that roundTrip call; a Client.Do call that never reached the transport, of Client.do).
   */
  transport?: boolean;
  /**
   * How long a Client.Do call is held open (option `transport`) waiting for its end before its event
   * is reported from what Client.do saw; default 60 000 ms.
   */
  transportHoldMs?: number;
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
  /**
   * Probe hits lost in the kernel without a record because every scratch slot of their CPU was held
   * by other hits in flight (preempted) on it. 0 on kernels with `bpf_preempt_disable` (6.10+).
   */
  scratchDrops: number;
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
  /** Binaries probed now (at most `maxBinaries`), including those lingering after their last process. */
  binaries: number;
  /** Binaries not traced because `maxBinaries` binaries in use were probed already (TOO_MANY_BINARIES). */
  binariesRefused: number;
  /**
   * attachAll(): binaries found not traceable that were forgotten to keep at most `maxUntraceable`
   * (each is examined again at its next exec).
   */
  untraceableEvicted: number;
  /**
   * Option `response`: requests reported without waiting for their call to return, because more
   * than `maxQueue` calls were in flight (the oldest goes first).
   */
  responsesNotAwaited: number;
  /** Option `response`: returns whose request was never seen (lost in a full ring, or already in flight at attach). */
  responsesUnmatched: number;
  /**
   * attachAll({ hold }): processes not stopped at exec because the kernel ring or the `held` map
   * had no room (they run on, and are attached a little later, as without hold).
   */
  holdsSkipped: number;
  /** attachAll({ hold }): held processes resumed by the guardian at `holdTimeoutMs`, before a decision came. */
  holdsExpired: number;
  /**
   * Option `transport`: Client.Do calls let go before their end was seen (more than `maxQueue` open,
   * open longer than `transportHoldMs`, or their process exited).
   */
  transportCallsReleased: number;
  /** Option `transport`: Client.do returns whose call was not open (lost records, or in flight at attach). */
  transportEndsUnmatched: number;
  /**
   * The most bytes of records held at once beyond the kernel ring while JavaScript was behind
   * (`spillBufferBytes` bounds it).
   */
  spillPeakBytes: number;
  /**
   * Traced processes found gone from /proc with no exit record (option `exitSweepMs`): the ring
   * refused the record, or the kernel wrote none.
   */
  exitsSwept: number;
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
   * first process for the time of one ELF read (about a millisecond for non-Go files), and a
   * shell with job control notices the stop of its foreground job ("Stopped"). No process stays
   * stopped longer than `holdTimeoutMs`, whatever happens to this process (blocked, crashed,
   * killed with SIGKILL): a small guardian process, in a session of its own, resumes it
   * (docs/hold.md). Children of this process are never held, so waiting for one synchronously
   * (execFileSync) cannot deadlock. Without `hold`, a never-seen binary's first process is
   * attached a few milliseconds after its exec; later processes of a binary already seen are
   * traced from their first instruction either way. Resuming another user's process needs
   * CAP_KILL (root has it): without it, attachAll rejects with PERMISSION_DENIED and stops
   * nothing. In a PID namespace other than the host's, it rejects with UNSUPPORTED_PID_NAMESPACE.
   */
  hold?: boolean;
  /**
   * With `hold`: the longest a process stays stopped, in milliseconds (1 to 60000, default
   * 1000). Past it, the process runs on, traced from the moment its binary is decided
   * (counted in stats().holdsExpired). Fixed by the first attachAll({ hold }) of a Snooper.
   */
  holdTimeoutMs?: number;
  /**
   * With `hold`: stop only descendants of this PID (host PID namespace); other new binaries
   * are still reported and traced, without the stop. Default: every process.
   */
  holdSubtree?: number;
}
