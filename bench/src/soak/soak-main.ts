import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchOut, cliBin } from '../paths.js';
import { formatTable } from '../table.js';
import { parseSoakArgs, soakUsage } from './soak-args.js';
import { formatSamples } from './soak-report.js';
import { runSoak, SoakInterrupted } from './soak-run.js';
import { missingPrograms, soakWorkload } from './soak-workload.js';

const log = (line: string): void => void process.stderr.write(`soak: ${line}\n`);

/** What must be there before the soak starts, as sentences for the user. */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('run as root: the CLI loads BPF programs');
  try {
    execFileSync('sh', ['-c', 'command -v bpftool'], { stdio: 'ignore' });
  } catch {
    missing.push('bpftool is not installed (it counts map entries): apt-get install bpftool');
  }
  if (!existsSync(join(cliBin, '..', '..', 'dist', 'main.js'))) missing.push('the CLI is not built: pnpm build');
  return [...missing, ...missingPrograms(soakWorkload())];
}

async function main(): Promise<number> {
  let minutes: number;
  try {
    ({ minutes } = parseSoakArgs(process.argv.slice(2)));
  } catch (error) {
    log((error as Error).message);
    log(soakUsage);
    return 2;
  }
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    for (const m of missing) log(m);
    return 1;
  }
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(130); // a second one: quit at once (the exit hook kills what was started)
    log(`${signal}: stopping every process the soak started`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await runSoak(minutes, abort.signal, log);
  mkdirSync(benchOut, { recursive: true });
  const jsonPath = join(benchOut, 'soak.json');
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatSamples(result.samples, result.timing.warmupMs));
  console.log();
  console.log(formatTable(result.verdict));
  console.log();
  for (const n of result.notes) console.log(`- ${n}`);
  console.log(`- "w": a warm-up sample; every sample in ${jsonPath}`);
  return result.verdict.every((r) => r.met === true) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof SoakInterrupted) process.exit(130);
    console.error(error);
    process.exit(1);
  },
);
