export interface SoakArgs {
  minutes: number;
}

export const soakUsage = 'usage: pnpm soak -- [--minutes N]   (N > 0, default 30; fractions allowed: --minutes 0.5)';

/** The longest soak accepted: a day. A larger number is more likely a typo than a plan. */
const maxMinutes = 24 * 60;

/** `--minutes N` (or `--minutes=N`); a `--` that pnpm passes on is ignored. Throws an Error naming the bad argument. */
export function parseSoakArgs(argv: readonly string[], defaultMinutes = 30): SoakArgs {
  let minutes = defaultMinutes;
  const args = argv.filter((a) => a !== '--');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let value: string | undefined;
    if (arg === '--minutes') value = args[++i];
    else if (arg.startsWith('--minutes=')) value = arg.slice('--minutes='.length);
    else throw new Error(`unknown argument "${arg}"`);
    if (value === undefined || value.trim() === '') throw new Error('--minutes needs a number of minutes');
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > maxMinutes)
      throw new Error(`--minutes must be a number above 0 and at most ${maxMinutes}, not "${value}"`);
    minutes = n;
  }
  return { minutes };
}
