import { basename } from 'node:path';
import type { AttachedProcess, HttpRequestEvent } from 'httpwatcher';
import { BoundedLabels } from './bounded-labels.js';
import { PathTemplates } from './path-templates.js';
import { methodLabel, requestTarget, statusLabel } from './request-target.js';

/** The labels of one request in every metric: a bounded set of values each. */
export interface RequestLabels {
  method: string;
  host: string;
  /** Only with path patterns (--metrics-path): the pattern the path matched, or `other`. */
  path?: string;
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
  /** Path patterns that make the `path` label; none: no path label. */
  paths?: readonly string[];
}

interface ProgramLabels {
  program: string;
  module: string;
}

/** A request's labels and their key, one string per distinct label set. */
export interface LabeledRequest {
  labels: RequestLabels;
  key: string;
  /** Its host was folded into `other`. */
  folded: boolean;
}

const unknownProgram: ProgramLabels = { program: 'unknown', module: 'unknown' };
/** Distinct inputs remembered; past it the memo starts over (it is only a cache). */
const memoEntries = 8192;

/** `scheme://authority` of a URL, cheaply: the part the host label is made from. */
function authorityOf(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return url;
  let end = url.length;
  for (const c of ['/', '?', '#']) {
    const at = url.indexOf(c, start + 3);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(0, end);
}

/** How long a process's labels outlive its exit: its last events may still be queued. */
const exitedKeptMs = 60_000;

/** Turns events into label sets, knowing each traced process's program from its attach notice. */
export class RequestLabeler {
  private readonly hosts: BoundedLabels;
  readonly paths: PathTemplates;
  private readonly programs: BoundedLabels;
  private readonly byPid = new Map<number, ProgramLabels>();
  private readonly exited = new Map<number, number>();
  private readonly memo = new Map<string, LabeledRequest>();
  private folded = 0;

  constructor(private readonly options: RequestLabelOptions) {
    this.hosts = new BoundedLabels(options.maxHosts);
    this.paths = new PathTemplates(options.paths ?? []);
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

  /** Requests counted under `host="other"` (each occurrence). */
  get hostsFolded(): number {
    return this.folded;
  }

  /**
   * The labels of a request, and their key (the values joined). Memoised on what they are made
   * of, so that a busy agent parses each URL's authority once per distinct value, not per event.
   */
  labels(ev: HttpRequestEvent): LabeledRequest {
    const p = this.byPid.get(ev.pid) ?? unknownProgram;
    const status = this.options.response ? statusLabel(ev) : '';
    const path = this.paths.of(ev.url);
    const memoKey = `${p.program}\0${p.module}\0${ev.method}\0${ev.host ?? ''}\0${authorityOf(ev.url)}\0${status}\0${path ?? ''}`;
    let entry = this.memo.get(memoKey);
    if (!entry) {
      const method = methodLabel(ev.method);
      const target = requestTarget(ev).host;
      const host = this.hosts.label(target);
      const labels: RequestLabels = {
        method,
        host,
        ...(path !== undefined && { path }),
        ...(this.options.response && { status }),
        program: p.program,
        module: p.module,
      };
      entry = { labels, key: Object.values(labels).join('\0'), folded: host === 'other' && target !== 'other' };
      if (this.memo.size >= memoEntries) this.memo.clear();
      this.memo.set(memoKey, entry);
    }
    if (entry.folded) this.folded++;
    return entry;
  }

  private prune(now: number): void {
    for (const [pid, at] of this.exited) {
      if (now - at < exitedKeptMs) break;
      this.exited.delete(pid);
      this.byPid.delete(pid);
    }
  }
}
