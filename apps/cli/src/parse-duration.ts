import { UsageError } from './usage-error.js';

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `10s`, `1.5m`, `2h`; a bare number is seconds (as in timeout(1)). */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * unitMs[(m[2] ?? 's') as keyof typeof unitMs] : NaN;
  if (!(ms >= 1) || !Number.isSafeInteger(Math.round(ms))) {
    throw new UsageError(
      'BAD_DURATION',
      `--duration expects a positive duration such as 500ms, 10s, 2m or 1h, got "${text}"`,
    );
  }
  return Math.round(ms);
}
