/** Copies `bytes` to `at`; returns where they end. A loop: for the few bytes of a call's part it costs less than `set()`. */
export function putBytes(into: Buffer, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) into[at + i] = bytes[i]!;
  return at + n;
}

/**
 * Writes `String(n)` of a non-negative integer as ASCII at `at`; returns where it ends. Digits are
 * written one by one up to 2^53; above, a number is not exact and `String` rounds it (a goid read
 * as 2^64 − 1 prints as `18446744073709552000`), so its text is taken from `String`.
 */
export function putDecimal(into: Buffer, at: number, n: number): number {
  if (n > Number.MAX_SAFE_INTEGER) return at + into.write(String(n), at, 'latin1');
  let end = at + 1;
  for (let p = 10; p <= n; p *= 10) end++;
  let rest = n;
  for (let i = end - 1; i > at; i--) {
    const q = Math.floor(rest / 10);
    into[i] = 0x30 + (rest - q * 10);
    rest = q;
  }
  into[at] = 0x30 + rest;
  return end;
}
