/** SIGHUP too: an agent's supervisor or a closed terminal asks it to stop, and it stops as cleanly as for SIGTERM. */
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof signals)[number];

/**
 * First SIGINT, SIGTERM or SIGHUP: `onFirst` (stop and drain). Second: the default action is restored and
 * the signal raised again, so the process ends at once, whatever it is waiting on, with the
 * status a shell expects (130, 143 or 129). Returns a function that removes the handlers.
 */
export function handleInterrupts(onFirst: (signal: StopSignal) => void): () => void {
  let received = 0;
  const handler = (signal: StopSignal): void => {
    received++;
    if (received === 1) {
      onFirst(signal);
      return;
    }
    remove();
    process.kill(process.pid, signal);
  };
  const remove = (): void => {
    for (const s of signals) process.removeListener(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return remove;
}
