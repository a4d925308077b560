import { limitMallocRetention } from 'httpwatcher';
import { type CliArgs, parseCliArgs } from './args.js';
import { cliVersion as version } from './cli-version.js';
import { ExitCode } from './exit-code.js';
import { runInspect } from './inspect-command.js';
import { runTrace } from './trace-command.js';
import { usage } from './usage.js';
import { UsageError } from './usage-error.js';
import { say } from './terminal-text.js';

async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(error.message);
    process.stderr.write('Run "httpwatcher --help" for usage.\n');
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
        await runInspect(args.pidOrPath, args.json, process.stdout);
        return ExitCode.ok;
      } catch (error) {
        say((error as Error).message);
        return ExitCode.failed;
      }
    case 'trace':
      await limitMallocRetention();
      return runTrace(args);
    case 'top':
      await limitMallocRetention();
      // Loaded only here: terminal-kit is not needed by the request stream.
      return (await import('./top-command.js')).runTop(args);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The message may quote data from a traced program: one escaped line, then the (trusted) stack frames.
    const message = error instanceof Error ? error.message : String(error);
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)) : [];
    say(`unexpected error: ${message}`);
    if (frames.length > 0) process.stderr.write(`${frames.join('\n')}\n`);
    process.exitCode = ExitCode.failed;
  },
);
