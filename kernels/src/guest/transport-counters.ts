import type { Snooper } from 'httpwatcher';
import type { Findings } from './findings.js';

type Counters = ReturnType<Snooper['stats']>;

/**
 * What a transport check requires of the counters over its run: no record dropped, unreadable or
 * undecodable, and every client call matched to its end (docs/transport-probes.md, point 5).
 * Returns the deltas and the hits for the check's facts.
 */
export function checkTransportCounters(snoop: Snooper, before: Counters, f: Findings): Record<string, number> {
  const now = snoop.stats();
  const delta = (k: keyof Counters) => (now[k] as number) - (before[k] as number);
  const counters = {
    kernelDrops: delta('kernelDrops'),
    scratchDrops: delta('scratchDrops'),
    queueDrops: delta('queueDrops'),
    decodeErrors: delta('decodeErrors'),
    readErrors: delta('readErrors'),
    transportCallsReleased: delta('transportCallsReleased'),
    transportEndsUnmatched: delta('transportEndsUnmatched'),
  };
  f.same('drops, errors and unmatched calls', counters, {
    kernelDrops: 0,
    scratchDrops: 0,
    queueDrops: 0,
    decodeErrors: 0,
    readErrors: 0,
    transportCallsReleased: 0,
    transportEndsUnmatched: 0,
  });
  return { hits: delta('hits'), delivered: delta('events'), ...counters };
}
