import { parseArgs } from 'node:util';
import { SecretRedactor, SnooperError } from 'httpwatcher';
import { type ListenAddress, parseListenAddress, parseOtlpEndpoint, parsePathPatterns } from './exporter-options.js';
import { parseDurationMs } from './parse-duration.js';
import { parseFilter, type RequestFilter } from './request-filter.js';
import { UsageError } from './usage-error.js';

export type ColorChoice = 'auto' | 'always' | 'never';

/** How each request is written: text lines, NDJSON (--json) or a curl command. */
export type OutputFormat = 'text' | 'json' | 'curl';
const outputFormats: readonly string[] = ['text', 'json', 'curl'];

export interface TraceArgs {
  command: 'trace';
  pids: number[];
  binaries: string[];
  all: boolean;
  /** The program after `--`, started under tracing. */
  exec: { file: string; args: string[] } | undefined;
  count: number | undefined;
  durationMs: number | undefined;
  filters: RequestFilter[];
  format: OutputFormat;
  timestamps: boolean;
  output: string | undefined;
  /** --har FILE: every printed request also goes to an HTTP Archive (HAR 1.2). */
  har: string | undefined;
  showSecrets: boolean;
  /** Header and query parameter names masked besides the built-in ones (--redact-header, --redact-param). */
  redact: { headers: string[]; params: string[] };
  /** Report each request when it returns, with status, error and duration. */
  response: boolean;
  /** --transport: also probe the standard transport (each redirect hop, reverse proxies, bare RoundTrip callers). */
  transport: boolean;
  color: ColorChoice;
  assumeGo: string | undefined;
  /** Print the kernel verifier's log when the kernel refuses the BPF program. */
  debug: boolean;
  /** --metrics: serve Prometheus metrics there. */
  metrics: ListenAddress | undefined;
  /** --metrics-max-hosts: distinct hosts kept as labels before the rest count as "other". */
  metricsMaxHosts: number;
  /** --metrics-path: path patterns that make the metrics' `path` label (and spans' url.template). */
  metricsPaths: string[];
  /** --quiet: print no requests (for an agent whose output is its exporters). */
  quiet: boolean;
  /** --otlp: the collector's OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT when not given). */
  otlp: string | undefined;
}

/** Hosts a metric keeps as label values by default: enough for a service's dependencies, bounded for a crawler. */
export const defaultMaxHosts = 100;

export interface InspectArgs {
  command: 'inspect';
  pidOrPath: string;
  json: boolean;
}

/** `httpwatcher top`: the trace targets, shown as a live view instead of a stream. */
export type TopArgs = Omit<TraceArgs, 'command'> & { command: 'top' };

export type CliArgs = TraceArgs | TopArgs | InspectArgs | { command: 'help' } | { command: 'version' };

/** Options of the request stream, which `top` does not write. */
const streamOnly = ['json', 'format', 'har', 'output', 'count', 'timestamp'] as const;

const positiveInteger = (option: string, code: 'BAD_PID' | 'BAD_COUNT' | 'BAD_MAX_HOSTS', s: string): number => {
  if (!/^\d+$/.test(s) || !(Number(s) > 0) || !Number.isSafeInteger(Number(s))) {
    throw new UsageError(code, `${option} expects a positive integer, got "${s}"`);
  }
  return Number(s);
};

function checkRedactNames(redact: TraceArgs['redact'], showSecrets: boolean): void {
  if (redact.headers.length + redact.params.length === 0) return;
  if (showSecrets)
    throw new UsageError(
      'CONFLICTING_OPTIONS',
      '--redact-header and --redact-param mask values that --show-secrets shows',
    );
  try {
    new SecretRedactor(redact);
  } catch (error) {
    if (!SnooperError.isInstance(error)) throw error;
    throw new UsageError('BAD_REDACT', `--redact-header and --redact-param expect a name: ${error.message}`);
  }
}

function parseFormat(format: string | undefined, json: boolean): OutputFormat {
  if (format === undefined) return json ? 'json' : 'text';
  if (!outputFormats.includes(format))
    throw new UsageError('BAD_FORMAT', `--format expects ${outputFormats.join(', ')}, got "${format}"`);
  if (json && format !== 'json') throw new UsageError('CONFLICTING_OPTIONS', `--json and --format ${format} disagree`);
  return format as OutputFormat;
}

function parseTokens(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        pid: { type: 'string', short: 'p', multiple: true },
        binary: { type: 'string', multiple: true },
        all: { type: 'boolean' },
        count: { type: 'string', short: 'c' },
        duration: { type: 'string', short: 'd' },
        filter: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        format: { type: 'string' },
        timestamp: { type: 'boolean', short: 't' },
        output: { type: 'string', short: 'o' },
        har: { type: 'string' },
        'show-secrets': { type: 'boolean' },
        'redact-header': { type: 'string', multiple: true },
        'redact-param': { type: 'string', multiple: true },
        response: { type: 'boolean' },
        transport: { type: 'boolean' },
        color: { type: 'string' },
        'assume-go': { type: 'string' },
        debug: { type: 'boolean' },
        metrics: { type: 'string' },
        'metrics-max-hosts': { type: 'string' },
        'metrics-path': { type: 'string', multiple: true },
        otlp: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    const code =
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? 'MISSING_VALUE' : 'UNKNOWN_OPTION';
    throw new UsageError(code, (error as Error).message);
  }
}

export function parseCliArgs(argv: string[]): CliArgs {
  const { values, positionals, tokens } = parseTokens(argv);
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };

  const terminator = tokens.find((t) => t.kind === 'option-terminator');
  const before = terminator
    ? tokens.filter((t) => t.kind === 'positional' && t.index < terminator.index).length
    : positionals.length;
  const top = positionals[0] === 'top' && before > 0;
  const ours = positionals.slice(top ? 1 : 0, before);
  const program = positionals.slice(before);

  if (ours[0] === 'inspect' && !terminator) {
    const pidOrPath = ours[1];
    if (!pidOrPath || ours.length > 2)
      throw new UsageError('UNEXPECTED_ARGUMENT', 'inspect expects exactly one PID or path');
    return { command: 'inspect', pidOrPath, json: values.json ?? false };
  }
  if (ours.length > 0)
    throw new UsageError('UNEXPECTED_ARGUMENT', `unexpected argument "${ours[0]}" (a command to run goes after "--")`);
  if (terminator && program.length === 0) throw new UsageError('NO_TARGET', 'expected a command after "--"');

  const pids = (values.pid ?? []).map((p) => positiveInteger('--pid', 'BAD_PID', p));
  const binaries = values.binary ?? [];
  const all = values.all ?? false;
  const exec = program.length > 0 ? { file: program[0]!, args: program.slice(1) } : undefined;
  if (pids.length === 0 && binaries.length === 0 && !all && !exec) {
    throw new UsageError('NO_TARGET', 'nothing to trace: give --pid, --binary, --all or "-- command"');
  }
  const unused = top ? streamOnly.find((o) => values[o] !== undefined) : undefined;
  if (unused)
    throw new UsageError('CONFLICTING_OPTIONS', `top shows a live view; --${unused} is for the request stream`);
  const color = values.color ?? 'auto';
  if (color !== 'auto' && color !== 'always' && color !== 'never') {
    throw new UsageError('BAD_COLOR', `--color expects auto, always or never, got "${color}"`);
  }
  const format = parseFormat(values.format, values.json ?? false);
  if (values.output === '') throw new UsageError('MISSING_VALUE', '--output expects a file name');
  if (values.har === '' || values.har === '-') throw new UsageError('MISSING_VALUE', '--har expects a file name');
  const redact = { headers: values['redact-header'] ?? [], params: values['redact-param'] ?? [] };
  checkRedactNames(redact, values['show-secrets'] ?? false);
  return {
    command: top ? 'top' : 'trace',
    pids,
    binaries,
    all,
    exec,
    count: values.count === undefined ? undefined : positiveInteger('--count', 'BAD_COUNT', values.count),
    durationMs: values.duration === undefined ? undefined : parseDurationMs(values.duration),
    filters: (values.filter ?? []).map(parseFilter),
    format,
    timestamps: values.timestamp ?? false,
    output: values.output,
    har: values.har,
    showSecrets: values['show-secrets'] ?? false,
    redact,
    response: values.response ?? false,
    transport: values.transport ?? false,
    color,
    assumeGo: values['assume-go'],
    debug: values.debug ?? false,
    metrics: values.metrics === undefined ? undefined : parseListenAddress(values.metrics),
    metricsMaxHosts:
      values['metrics-max-hosts'] === undefined
        ? defaultMaxHosts
        : positiveInteger('--metrics-max-hosts', 'BAD_MAX_HOSTS', values['metrics-max-hosts']),
    metricsPaths: parsePathPatterns(values['metrics-path'] ?? []),
    quiet: values.quiet ?? false,
    otlp: values.otlp === undefined ? undefined : parseOtlpEndpoint(values.otlp),
  };
}
