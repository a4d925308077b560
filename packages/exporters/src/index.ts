export { AgentExporters, type AgentExportersOptions } from './agent-exporters.js';
export type { AgentHealth, SpanExportStats } from './agent-health.js';
export { ExporterError, type ExporterErrorCode } from './exporter-error.js';
export type { ListenAddress } from './metrics-server.js';
export { methodLabel, requestTarget, statusLabel, type RequestTarget } from './request-target.js';
