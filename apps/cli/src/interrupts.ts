const signals = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof signals)[number];

/**
 * First SIGINT or SIGTERM: `onFirst` (stop and drain). Second: the default action is restored and
 * the signal raised again, so the process ends at once, whatever it is waiting on, with the
 * status a shell expects (130 or 143). Returns a function that removes the handlers.
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
