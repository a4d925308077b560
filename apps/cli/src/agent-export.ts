import type { AgentExporters } from '@httpwatcher/exporters';
import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import type { TraceArgs } from './args.js';
import { otlpTarget } from './exporter-options.js';

type ExportersModule = typeof import('@httpwatcher/exporters');

/** What --metrics and --otlp need besides this package; the message names it. */
export class ExportersMissingError extends Error {
  override readonly name = 'ExportersMissingError';
  readonly code = 'EXPORTERS_MISSING';
}

/**
 * Loads @httpwatcher/exporters when --metrics, --otlp or an OTEL_EXPORTER_OTLP_*ENDPOINT variable
 * asks for it, before anything is traced. It is an optional peer: its libraries (prom-client, the
 * OpenTelemetry SDK) are installed and loaded only by those who export.
 */
export async function loadAgentExport(args: TraceArgs): Promise<ExportersModule | undefined> {
  if (!args.metrics && !otlpTarget(args.otlp, process.env)) return undefined;
  try {
    return await import('@httpwatcher/exporters');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ExportersMissingError(
      '--metrics and --otlp need the package @httpwatcher/exporters next to @httpwatcher/cli: npm install @httpwatcher/exporters (add -g for a global install)',
    );
  }
}

/** Starts the exporters the command line asks for, once the Snooper exists. */
export function startAgentExport(
  module: ExportersModule,
  args: TraceArgs,
  snoop: Snooper,
  shownUrl: (ev: HttpRequestEvent) => string,
): Promise<AgentExporters> {
  const otlp = otlpTarget(args.otlp, process.env);
  return module.AgentExporters.start({
    ...(args.metrics && { metrics: args.metrics }),
    ...(otlp && { otlp }),
    maxHosts: args.metricsMaxHosts,
    paths: args.metricsPaths,
    response: args.response,
    stats: () => snoop.stats(),
    shownUrl,
  });
}
