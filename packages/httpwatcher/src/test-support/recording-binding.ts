import { kernelFeatures, openTracer, type NativeBinding, type NativeTracer } from '@httpwatcher/bpf-native';

/**
 * The real native binding, showing each batch (delivered or flushed) to `see` before the Snooper
 * gets it. It probes the kernel as the real one does, so the Snooper picks the same BPF build.
 */
export function recordingBinding(see: (batch: Buffer) => void): NativeBinding {
  return {
    libbpfVersion: 'real',
    kernelFeatures,
    openTracer(options, build) {
      const tracer = openTracer(options, build);
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
