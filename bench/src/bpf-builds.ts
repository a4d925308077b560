import { compareClientDoTime } from './client-do-time.js';
import { median } from './stats.js';
import { fmt, type Row } from './table.js';

/**
 * What the compat build (Linux 5.8-5.16: loops through global functions, an address check
 * instead of the cookie, CO-RE reads of the task) costs per hit against the default build, both
 * loaded on this machine's kernel. Reported, not judged: old kernels have no other build to run.
 */
export async function bpfBuildsRow(binary: string, rounds: number, calls: number): Promise<Row> {
  const r = await compareClientDoTime(binary, rounds, calls, {
    compat: { bpfBuild: 'compat' },
    default: { bpfBuild: 'default' },
  });
  const compat = median(r.compat);
  const standard = median(r.default);
  return {
    figure: 'client_do BPF time per hit, compat build (Linux 5.8-5.16) vs default build',
    measured: `${fmt(compat)} ns`,
    baseline: `default ${fmt(standard)} ns`,
    ratio: `${fmt(compat / standard, 2)} ×`,
    target: 'reported',
    met: undefined,
  };
}
