import { buildOfObject, type KernelResult, type VerifierProgram } from './results.js';

const MAX_PROBLEMS_SHOWN = 4;
const MAX_PROBLEM_CHARS = 300;
/** The statistics lines the verifier ends its log with; the reason for a refusal comes before them. */
const VERIFIER_STATS = /^(verification time|stack depth|processed \d+ insns)/;

function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const seconds = (s: number | null): string => (s === null ? '-' : s.toFixed(1));

/** The model in force out of "none voluntary (full) lazy"; kernels without dynamic preemption have no file. */
const inForce = (preempt: string | null): string => /\((\w+)\)/.exec(preempt ?? '')?.[1] ?? '-';

/** Control characters out of text that came from a guest, so a terminal shows it as text. */
export const printable = (s: string): string => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');

/** A program's row: its name, marked when it is the compat build's. */
function programLabel(p: VerifierProgram): string {
  return `${p.program ?? '(object)'}${buildOfObject(p.object) === 'compat' ? ' (compat)' : ''}`;
}

/** The kernel × check table, times included, then the verifier's instruction counts per program. */
export function matrixTable(kernels: KernelResult[]): string {
  const header = ['check', ...kernels.map((k) => `${k.name} (${k.release ?? k.version})`)];
  const checkNames = [...new Set(kernels.flatMap((k) => k.checks.map((c) => c.name)))];
  const rows = checkNames.map((name) => [
    name,
    ...kernels.map((k) => {
      const c = k.checks.find((x) => x.name === name);
      if (!c) return 'not run';
      const verdict = c.ok && c.facts?.code === 'UNSUPPORTED_KERNEL' ? 'refused as expected' : c.ok ? 'pass' : 'FAIL';
      return `${verdict} ${(c.ms / 1000).toFixed(1)} s`;
    }),
  ]);
  rows.push(['preemption', ...kernels.map((k) => inForce(k.preempt))]);
  rows.push(['boot to /init (s)', ...kernels.map((k) => seconds(k.bootS))]);
  rows.push(['checks in guest (s)', ...kernels.map((k) => seconds(k.runS))]);
  rows.push(['qemu wall (s)', ...kernels.map((k) => seconds(k.wallS))]);
  rows.push(['qemu CPU (s)', ...kernels.map((k) => seconds(k.qemuCpuS))]);
  rows.push(['all pass', ...kernels.map((k) => (k.ok ? 'yes' : 'NO'))]);

  const programs = [...new Set(kernels.flatMap((k) => k.verifier.map(programLabel)))];
  const verifierRows = programs.map((program) => [
    program,
    ...kernels.map((k) => {
      const p = k.verifier.find((x) => programLabel(x) === program);
      if (!p) return '-';
      if (p.ok) return String(p.insns ?? '?');
      return `refused${p.insns === null ? '' : ` after ${p.insns}`}`;
    }),
  ]);
  return [
    grid(header, rows),
    '',
    'Instructions the verifier processed, each program loaded alone (limit 1,000,000):',
    grid(['program', ...header.slice(1)], verifierRows),
  ].join('\n');
}

/** A problem on one line, cut to a readable length. */
const oneLine = (s: string): string => printable(s.replace(/\s*\n\s*/g, ' / ').slice(0, MAX_PROBLEM_CHARS));

/**
 * What failed and why, per kernel: the guest's failure, each failed check's first problems (a
 * check that failed exactly as one above, e.g. every check after a refused load, says so), and
 * each program the verifier refused with the end of its log.
 */
export function failureDetails(kernels: KernelResult[]): string {
  const out: string[] = [];
  for (const k of kernels) {
    if (k.failure) out.push(`${k.name}: ${printable(k.failure)}`);
    const shown = new Set<string>();
    for (const c of k.checks.filter((x) => !x.ok)) {
      const problems = c.problems.slice(0, MAX_PROBLEMS_SHOWN).map(oneLine);
      if (problems.length > 0 && problems.every((p) => shown.has(p))) {
        out.push(`${k.name} ${c.name}: as above`);
        continue;
      }
      out.push(`${k.name} ${c.name}:`);
      for (const p of problems) {
        out.push(`  ${p}`);
        shown.add(p);
      }
    }
    for (const p of k.verifier.filter((x) => !x.ok)) {
      const log = (p.verifierLog || p.libbpfLog || '')
        .trim()
        .split('\n')
        .filter((line) => !VERIFIER_STATS.test(line))
        .slice(-3)
        .join('\n');
      out.push(`${k.name} verifier ${p.program ? programLabel(p) : p.object}: ${oneLine(`${p.error}: ${log}`)}`);
    }
  }
  return out.join('\n');
}
