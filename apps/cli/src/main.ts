import { createRequire } from 'node:module';
import { parseCliArgs } from './args.js';
import { ExitCode } from './exit-code.js';
import { runInspect } from './inspect-command.js';
import { runTrace } from './trace-command.js';
import { usage } from './usage.js';
import { UsageError } from './usage-error.js';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`httpwatcher: ${error.message}\nRun "httpwatcher --help" for usage.\n`);
    return ExitCode.usage;
  }
  switch (args.command) {
    case 'help':
      process.stdout.write(`${usage}\n`);
      return ExitCode.ok;
    case 'version':
      process.stdout.write(`httpwatcher ${version}\n`);
      return ExitCode.ok;
    case 'inspect':
      try {
        await runInspect(args.target, args.json, process.stdout);
        return ExitCode.ok;
      } catch (error) {
        process.stderr.write(`httpwatcher: ${(error as Error).message}\n`);
        return ExitCode.failed;
      }
    case 'trace':
      return runTrace(args);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`httpwatcher: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = ExitCode.failed;
  },
);
