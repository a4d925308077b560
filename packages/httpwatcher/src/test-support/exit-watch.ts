/** What watchExits needs of a Snooper (the installed package's or the source's). */
interface LifecycleSource {
  lifecycle(options: { signal: AbortSignal }): AsyncIterable<ExitNotice | { kind: string; pid?: number }>;
}

/** The fields of an `exit` notice these checks look at. */
export interface ExitNotice {
  kind: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
}

export interface ExitWatch {
  /** PIDs whose exit notice came, in order. */
  readonly pids: number[];
  /** The exit notices, in order. */
  readonly notices: ExitNotice[];
  /** Stops watching and waits for the watch to end. */
  stop(): Promise<void>;
}

/** Collects the PIDs of `exit` notices from `snoop.lifecycle()` until stop(). */
export function watchExits(snoop: LifecycleSource): ExitWatch {
  const pids: number[] = [];
  const notices: ExitNotice[] = [];
  const stopping = new AbortController();
  const watching = (async () => {
    for await (const notice of snoop.lifecycle({ signal: stopping.signal }))
      if (notice.kind === 'exit' && notice.pid !== undefined) {
        pids.push(notice.pid);
        notices.push(notice);
      }
  })();
  return {
    pids,
    notices,
    stop: async () => {
      stopping.abort();
      await watching;
    },
  };
}
