export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function max(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

export function min(values: readonly number[]): number {
  return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
}

export const nowMs = (): number => performance.now();

/** Wall-clock time in ns with sub-millisecond resolution, comparable with Go's time.Now().UnixNano(). */
export const realtimeNs = (): number => (performance.timeOrigin + performance.now()) * 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `done()` holds, polling every `stepMs`; false on timeout. */
export async function waitFor(done: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = nowMs() + timeoutMs;
  while (!done()) {
    if (nowMs() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}
