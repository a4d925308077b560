import { parseArgs } from 'node:util';

export interface TraceArgs {
  command: 'trace';
  pids: number[];
  json: boolean;
  timestamps: boolean;
  showSecrets: boolean;
  color: 'auto' | 'always' | 'never';
  assumeGo: string | undefined;
}

export interface InspectArgs {
  command: 'inspect';
  target: string;
  json: boolean;
}

export type CliArgs = TraceArgs | InspectArgs | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const usage = `Usage:
  httpwatcher -p <pid> [-p <pid> ...] [options]   trace running Go processes
  httpwatcher inspect <pid|path> [--json]          show what httpwatcher sees in a Go binary

Options:
  -p, --pid <pid>        process to trace (repeatable)
      --json             one JSON object per request (NDJSON) on stdout
  -t, --timestamp        prefix each request with its time
      --show-secrets     print credential headers (Authorization, Cookie, ...) unmasked
      --color <when>     auto | always | never (default auto; honours NO_COLOR, FORCE_COLOR)
      --assume-go <ver>  read memory with this Go version's layout (when the binary's is unknown)
  -h, --help             this help
  -V, --version          print the version

Examples:
  sudo httpwatcher -p 1234
  sudo httpwatcher -p "$(pidof my-service)" --json | jq .url
  httpwatcher inspect /usr/bin/my-go-tool --json

Exit codes: 0 done or interrupted, 1 tracing failed, 2 bad usage, 77 insufficient privileges.`;

const toPid = (s: string): number => {
  if (!/^\d+$/.test(s) || Number(s) <= 0) throw new UsageError(`--pid expects a positive integer, got "${s}"`);
  return Number(s);
};

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        pid: { type: 'string', short: 'p', multiple: true },
        json: { type: 'boolean' },
        timestamp: { type: 'boolean', short: 't' },
        'show-secrets': { type: 'boolean' },
        color: { type: 'string' },
        'assume-go': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (positionals[0] === 'inspect') {
    const target = positionals[1];
    if (!target || positionals.length > 2) throw new UsageError('inspect expects exactly one PID or path');
    return { command: 'inspect', target, json: values.json ?? false };
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const pids = (values.pid ?? []).map(toPid);
  if (pids.length === 0) throw new UsageError('nothing to trace: give at least one --pid');
  const color = values.color ?? 'auto';
  if (color !== 'auto' && color !== 'always' && color !== 'never') throw new UsageError(`--color expects auto, always or never, got "${color}"`);
  return {
    command: 'trace',
    pids,
    json: values.json ?? false,
    timestamps: values.timestamp ?? false,
    showSecrets: values['show-secrets'] ?? false,
    color,
    assumeGo: values['assume-go'],
  };
}
