import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Requests between two collections: about 2.8 MB of the ring's batches, as often as the event path collected. */
const requestsPerCollection = 8192;
/** How often the count of requests is looked at. */
const checkMs = 50;

type Collect = (options: { type: 'minor' }) => void;

/**
 * Collects V8's young generation every few thousand requests that arrive from the ring. Their
 * records reach JavaScript in Buffers the addon allocates for each batch (about 34 MB a second at
 * 100 000 requests a second), garbage once their records are taken or copied to the backlog, and
 * freed only by a collection. The view path allocates nothing per request, so V8 collected only
 * under external memory pressure, after about 64 MB: VmHWM rose from 110 to 137 MB (BENCHMARKS.md).
 * Requests are counted as they arrive, not as they are printed: while the output waits for a slow
 * reader, batches keep coming. A minor collection with nothing young alive takes well under a
 * millisecond.
 *
 * `gc` is V8's own function; the flag that exposes it is set here, since a `node` script cannot
 * pass it on its command line, and it is taken from a new context (it is installed at a
 * context's creation). Where that fails, requests are taken as before, only without it.
 */
export class YoungCollection {
  private collectedAt = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly collect: Collect | undefined,
    /** Requests that arrived so far. */
    private readonly arrived: () => number,
  ) {
    if (collect) this.timer = setInterval(() => this.check(), checkMs).unref();
  }

  /** Starts looking at `arrived()` every 50 ms. */
  static start(arrived: () => number): YoungCollection {
    let collect: Collect | undefined;
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as unknown;
      if (typeof gc === 'function') collect = gc as Collect;
    } catch {
      collect = undefined;
    }
    return new YoungCollection(collect, arrived);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Collects when `requestsPerCollection` requests arrived since the last collection. */
  check(): void {
    const arrived = this.arrived();
    if (arrived - this.collectedAt < requestsPerCollection) return;
    this.collectedAt = arrived;
    this.collect?.({ type: 'minor' });
  }
}
