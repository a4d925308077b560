import { basename } from 'node:path';
import type { AttachedProcess, HttpRequestEvent } from 'httpwatcher';
import { BoundedLabels } from './bounded-labels.js';
import { methodLabel, requestTarget, statusLabel } from './request-target.js';

/** The labels of one request in every metric: a bounded set of values each. */
export interface RequestLabels {
  method: string;
  host: string;
  /** Only with --response. */
  status?: string;
  /** The executable's file name. */
  program: string;
  /** The Go main module path from the binary's build info. */
  module: string;
}

export interface RequestLabelOptions {
  /** Distinct hosts kept before the rest fold into `other`. */
  maxHosts: number;
  /** Distinct programs (executable + module) kept before the rest fold into `other`. */
  maxPrograms: number;
  /** Status labels are given (--response). */
  response: boolean;
}

interface ProgramLabels {
  program: string;
  module: string;
}

/** How long a process's labels outlive its exit: its last events may still be queued. */
const exitedKeptMs = 60_000;

/** Turns events into label sets, knowing each traced process's program from its attach notice. */
export class RequestLabeler {
  readonly hosts: BoundedLabels;
  private readonly programs: BoundedLabels;
  private readonly byPid = new Map<number, ProgramLabels>();
  private readonly exited = new Map<number, number>();

  constructor(private readonly options: RequestLabelOptions) {
    this.hosts = new BoundedLabels(options.maxHosts);
    this.programs = new BoundedLabels(options.maxPrograms);
  }

  /** A process became traced. */
  attached(p: Pick<AttachedProcess, 'pid' | 'exe' | 'mainModule'>, now = Date.now()): void {
    this.prune(now);
    this.exited.delete(p.pid);
    const program = basename(p.exe);
    const pair = this.programs.label(`${program}\0${p.mainModule}`);
    this.byPid.set(p.pid, pair === 'other' ? { program: 'other', module: 'other' } : { program, module: p.mainModule });
  }

  /** A traced process ended: its labels go a minute later (a restart reuses nothing stale). */
  exitedAt(pid: number, now = Date.now()): void {
    this.exited.delete(pid);
    this.exited.set(pid, now);
    this.prune(now);
  }

  labels(ev: HttpRequestEvent): RequestLabels {
    const p = this.byPid.get(ev.pid) ?? { program: 'unknown', module: 'unknown' };
    const method = methodLabel(ev.method);
    const host = this.hosts.label(requestTarget(ev).host);
    return this.options.response
      ? { method, host, status: statusLabel(ev), program: p.program, module: p.module }
      : { method, host, program: p.program, module: p.module };
  }

  private prune(now: number): void {
    for (const [pid, at] of this.exited) {
      if (now - at < exitedKeptMs) break;
      this.exited.delete(pid);
      this.byPid.delete(pid);
    }
  }
}
