import type { HttpRequestEvent } from '../http-event.js';
import type { LifecycleEvent } from '../lifecycle-event.js';
import type { Snooper } from '../snooper.js';
import { SnooperError } from '../snooper-error.js';

/** The SnooperError code a promise rejects with, or a description of what else it did. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return SnooperError.isInstance(error) ? error.code : `not a SnooperError: ${String(error)}`;
}

/** The items queued so far: iterates until the queue has been empty for a macrotask. */
export async function queuedSoFar<T>(iterate: (signal: AbortSignal) => AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 0);
  for await (const item of iterate(abort.signal)) items.push(item);
  return items;
}

export const queuedEvents = (snoop: Snooper): Promise<HttpRequestEvent[]> =>
  queuedSoFar((signal) => snoop.events({ signal }));
export const queuedNotices = (snoop: Snooper): Promise<LifecycleEvent[]> =>
  queuedSoFar((signal) => snoop.lifecycle({ signal }));
