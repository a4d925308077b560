import { loadAddon, openTracer, type NativeBinding, type NativeTracer } from '@httpwatcher/bpf-native';

/**
 * Wraps the native binding a Snooper gets (its public `binding` option) to measure what happens
 * per delivered batch: how many, how large, the JavaScript time spent turning a batch into queued
 * events (decode + queue push), and the heap that grows meanwhile. Costs a few µs per batch.
 */
export class PipelineMeter {
  batches = 0;
  bytes = 0;
  callbackNs = 0;
  /** Heap growth summed over batches during which no garbage collection ran, and their events. */
  heapBytes = 0;
  heapEvents = 0;
  /** Set by the owner: events delivered so far, to attribute heap growth per event. */
  eventsSoFar: () => number = () => 0;

  readonly binding: NativeBinding = {
    openTracer: (options) => this.wrap(openTracer(options)),
    get libbpfVersion() {
      return loadAddon().libbpfVersion;
    },
  };

  reset(): void {
    this.batches = this.bytes = this.callbackNs = this.heapBytes = this.heapEvents = 0;
  }

  private wrap(tracer: NativeTracer): NativeTracer {
    return new Proxy(tracer, {
      get: (target, key) => {
        if (key === 'start') {
          return (onBatch: (batch: Buffer) => void) =>
            target.start((batch: Buffer) => {
              const events = this.eventsSoFar();
              const heap = process.memoryUsage().heapUsed;
              const t0 = process.hrtime.bigint();
              onBatch(batch);
              this.callbackNs += Number(process.hrtime.bigint() - t0);
              const grown = process.memoryUsage().heapUsed - heap;
              if (grown >= 0) {
                this.heapBytes += grown;
                this.heapEvents += this.eventsSoFar() - events;
              }
              this.batches++;
              this.bytes += batch.length;
            });
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
