/**
 * How far the output loop has got. The Snooper queues a process's requests before its exit
 * notice (both come through one ring buffer in order), but the loop may still be writing them:
 * a notice waits for them, so "pid N exited" follows that process's requests on the terminal.
 */
export class EventsProgress {
  private finished = 0;
  private ended = false;
  private readonly waiters = new Set<() => void>();

  /** The loop finished with `events` more events: written out, or filtered out. */
  done(events = 1): void {
    this.finished += events;
    this.poke();
  }

  /** The loop will take no more. */
  end(): void {
    this.ended = true;
    this.poke();
  }

  /** Resolves once `count` events were done with or dropped (`dropped()` reads the queue's counter), or the loop ended. */
  reached(count: number, dropped: () => number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.ended || this.finished + dropped() >= count) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }
}
