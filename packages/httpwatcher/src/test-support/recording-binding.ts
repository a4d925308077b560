import { openTracer, type NativeBinding, type NativeTracer } from '@httpwatcher/bpf-native';

/** The real native binding, showing each batch (delivered or flushed) to `see` before the Snooper gets it. */
export function recordingBinding(see: (batch: Buffer) => void): NativeBinding {
  return {
    libbpfVersion: 'real',
    openTracer(options) {
      const tracer = openTracer(options);
      const start: NativeTracer['start'] = (onBatch) =>
        tracer.start((batch) => {
          see(batch);
          onBatch(batch);
        });
      const flush: NativeTracer['flush'] = () => {
        const batch = tracer.flush();
        if (batch) see(batch);
        return batch;
      };
      return new Proxy(tracer, {
        get: (target, key) => {
          if (key === 'start') return start;
          if (key === 'flush') return flush;
          const value: unknown = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}
