/** What watchExits needs of a Snooper (the installed package's or the source's). */
interface LifecycleSource {
  lifecycle(options: { signal: AbortSignal }): AsyncIterable<{ kind: string; pid?: number }>;
}

export interface ExitWatch {
  /** PIDs whose exit notice came, in order. */
  readonly pids: number[];
  /** Stops watching and waits for the watch to end. */
  stop(): Promise<void>;
}

/** Collects the PIDs of `exit` notices from `snoop.lifecycle()` until stop(). */
export function watchExits(snoop: LifecycleSource): ExitWatch {
  const pids: number[] = [];
  const stopping = new AbortController();
  const watching = (async () => {
    for await (const notice of snoop.lifecycle({ signal: stopping.signal }))
      if (notice.kind === 'exit' && notice.pid !== undefined) pids.push(notice.pid);
  })();
  return {
    pids,
    stop: async () => {
      stopping.abort();
      await watching;
    },
  };
}
