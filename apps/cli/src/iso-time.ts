/** The second being printed: most requests share theirs with the one before. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `date.toISOString()`, which costs about 0.6 µs in Node 20, reusing the text up to the milliseconds. */
export function isoTime(date: Date): string {
  return isoTimeOfMs(date.getTime());
}

/** `isoTime` of a time in milliseconds since the epoch, for callers that have no Date. */
export function isoTimeOfMs(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(ms).toISOString();
    cachedSecond = second;
    cachedPrefix = iso.slice(0, -4); // without "mmmZ"
    return iso;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
