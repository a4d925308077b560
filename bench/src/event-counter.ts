import type { HttpRequestEvent, Snooper } from 'httpwatcher';

/** A `for await` consumer of a Snooper's events, as an application would write it. */
export class EventCounter {
  count = 0;
  private onEvent: ((ev: HttpRequestEvent) => void) | undefined;
  readonly done: Promise<void>;

  constructor(snoop: Snooper) {
    this.done = (async () => {
      for await (const ev of snoop.events()) {
        this.count++;
        this.onEvent?.(ev);
      }
    })();
  }

  /** Calls `fn` for each event from now on (undefined stops). */
  observe(fn: ((ev: HttpRequestEvent) => void) | undefined): void {
    this.onEvent = fn;
  }
}
