import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

/** One program the soak starts, maybe many times. */
export interface ProgramSpec {
  /** Its name in the report. */
  label: string;
  file: string;
  args: string[];
  /** A Go program using net/http's client: the CLI traces it, and it prints what it sent. */
  traced: boolean;
  /**
   * Started from a new copy of `file` each time: a binary never seen before, as a deploy or a build
   * makes, which the CLI examines (in its analyzer's worker thread) and then remembers as not
   * traceable (the `ignored` map).
   */
  freshCopy?: boolean;
}

export interface SoakWorkload {
  /** Each runs again as soon as it exits, for the whole soak: several clients at full rate. */
  fullRate: ProgramSpec[];
  /** Started in turn at a bounded rate: the exec storm. */
  storm: ProgramSpec[];
  /** Started every `stormIntervalMs`, unless `stormMaxAlive` of them still run. */
  stormIntervalMs: number;
  stormMaxAlive: number;
}

const fixture = (go: string, program: string): string =>
  join(repoRoot, 'test-fixtures', 'out', `go${go}`, 'default', program);

/**
 * The programs come from test-fixtures/ (built by test-fixtures/build.sh), and each prints what it
 * sent: `client -scenario bulk` one `{"kind":"bulk","sent":N}` line, `response-client -scenario
 * load` one `{"kind":"load","sent":N}` line, `client -scenario basic` one line per request.
 * Three Go versions (two map layouts) make three binaries, each with its own probes; bulk runs
 * in-process (64 goroutines, and fresh goroutines whose stacks grow at Client.do's entry),
 * load over loopback keep-alive with statuses 200/404/500, so `--response` has real returns.
 */
export function soakWorkload(): SoakWorkload {
  return {
    fullRate: [
      {
        label: 'go1.24 client bulk',
        file: fixture('1.24', 'client'),
        args: ['-scenario', 'bulk', '-n', '100000'],
        traced: true,
      },
      {
        label: 'go1.26 client bulk',
        file: fixture('1.26', 'client'),
        args: ['-scenario', 'bulk', '-n', '100000'],
        traced: true,
      },
      {
        label: 'go1.25 response-client load',
        file: fixture('1.25', 'response-client'),
        args: ['-scenario', 'load', '-n', '20000', '-c', '8'],
        traced: true,
      },
    ],
    storm: [
      { label: 'go1.22 client basic', file: fixture('1.22', 'client'), args: ['-scenario', 'basic'], traced: true },
      // Go without net/http's client: examined at its first exec, then remembered as not traceable.
      { label: 'go1.24 noclient', file: fixture('1.24', 'noclient'), args: [], traced: false },
      { label: '/bin/true', file: '/bin/true', args: [], traced: false },
      { label: 'sh -c :', file: '/bin/sh', args: ['-c', ':'], traced: false },
      // Lives a second: a program gone before the CLI looks at it is never examined.
      { label: 'fresh copy of sleep 1', file: '/bin/sleep', args: ['1'], traced: false, freshCopy: true },
    ],
    stormIntervalMs: 100,
    stormMaxAlive: 8,
  };
}

/**
 * One idle process per traced binary, alive for the whole soak (`-wait`: it blocks before its
 * first request). A binary's probe is kept for a moment after its last process exits; a binary
 * not probed when a process execs it has that first process attached a few milliseconds late
 * (AttachAllOptions in packages/httpwatcher/src/snooper-types.ts), which could miss its first
 * requests without counting them. With one process always there, every run is traced from its
 * first instruction, and the links stay what they are.
 */
export function anchorsOf(workload: SoakWorkload): ProgramSpec[] {
  const files = new Set([...workload.fullRate, ...workload.storm].filter((p) => p.traced).map((p) => p.file));
  return [...files].map((file) => ({
    label: `${file.split('/').slice(-3).join('/')} -wait`,
    file,
    args: ['-wait'],
    traced: true,
  }));
}

/** The programs that are not there, as sentences saying how to build them. */
export function missingPrograms(workload: SoakWorkload): string[] {
  return [...workload.fullRate, ...workload.storm]
    .filter((p) => !existsSync(p.file))
    .map((p) => {
      const m = /go(\d+\.\d+)\/default\/([^/]+)$/.exec(p.file);
      const build = m ? `: bash test-fixtures/build.sh --program ${m[2]} --go ${m[1]} --variant default` : '';
      return `${p.file} is missing${build}`;
    });
}
