import type { AgentExporters } from '@httpwatcher/exporters';
import type { HttpRequestEvent, Snooper } from 'httpwatcher';
import type { TraceArgs } from './args.js';
import { otlpTarget } from './exporter-options.js';

/**
 * Starts the exporters --metrics and --otlp (or the OTEL_EXPORTER_OTLP_* variables) ask for.
 * Their libraries (prom-client, the OpenTelemetry SDK) load only then: a plain trace does not
 * pay for them.
 */
export async function startAgentExport(
  args: TraceArgs,
  snoop: Snooper,
  shownUrl: (ev: HttpRequestEvent) => string,
): Promise<AgentExporters | undefined> {
  const otlp = otlpTarget(args.otlp, process.env);
  if (!args.metrics && !otlp) return undefined;
  const { AgentExporters } = await import('@httpwatcher/exporters');
  return AgentExporters.start({
    ...(args.metrics && { metrics: args.metrics }),
    ...(otlp && { otlp }),
    maxHosts: args.metricsMaxHosts,
    response: args.response,
    stats: () => snoop.stats(),
    shownUrl,
  });
}
