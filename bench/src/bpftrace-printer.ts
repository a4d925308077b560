import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessBinary } from 'httpwatcher';
import { benchOut } from './paths.js';
import { sleep, waitFor } from './stats.js';

/**
 * The comparison with bpftrace: bpftrace printing method, URL and every header of each request, reading the
 * same fields at the same offsets as httpwatcher (from the resolved layout). Debian's bpftrace
 * 0.17 refuses addresses inside a function ("compiled without uprobe offset support"), so it
 * probes the entry of net/http.(*Client).do; the floor is measured at both places to show the
 * difference. Covers what the benchmark sends: a swiss-table Header map small enough for one
 * group (≤ 8 entries) on amd64's register ABI.
 */
export function bpftracePrintScript(binary: string, resolved: ProcessBinary): string {
  const { layout } = resolved;
  if (layout.abi.kind !== 'register' || layout.arch !== 'amd64' || layout.headerMap.kind !== 'swiss') {
    throw new Error(`the bpftrace comparison covers amd64 register-ABI swiss-map layouts, not ${resolved.layoutEntry}`);
  }
  const r = layout.request;
  const u = layout.url;
  const m = layout.headerMap;
  const str = (addr: string): string => `str(*(uint64 *)(${addr}), *(uint64 *)(${addr} + 8))`;
  const slots = Array.from({ length: 8 }, (_, i) => {
    const slot = `$g + ${m.groupSlots + i * m.slotSize}`;
    return `  if ((($ctrl >> ${i * 8}) & 0x80) == 0) {
    $v${i} = *(uint64 *)(${slot} + ${m.slotElem});
    printf("  %s: %s\\n", ${str(`${slot} + ${m.slotKey}`)}, ${str(`$v${i}`)});
  }`;
  });
  return `BEGIN { printf("ready\\n"); }
uprobe:${binary}:"net/http.(*Client).do" {
  $req = reg("bx");
  $url = *(uint64 *)($req + ${r.url});
  printf("%s %s://%s%s?%s\\n", ${str(`$req + ${r.method}`)}, ${str(`$url + ${u.scheme}`)}, ${str(`$url + ${u.host}`)},
    ${str(`$url + ${u.path}`)}, ${str(`$url + ${u.rawQuery}`)});
  $map = *(uint64 *)($req + ${r.header});
  $g = *(uint64 *)($map + ${m.dirPtr});
  $ctrl = *(uint64 *)($g + ${m.groupCtrl});
${slots.join('\n')}
}
`;
}

/** A bpftrace process running one script, its output going to a file (not through this process). */
export class Bpftrace {
  private constructor(
    private readonly child: ChildProcess,
    private readonly outputPath: string,
    private readonly stderr: () => string,
  ) {}

  static async start(name: string, script: string): Promise<Bpftrace> {
    const scriptPath = join(benchOut, `${name}.bt`);
    const outputPath = join(benchOut, `${name}.out`);
    writeFileSync(scriptPath, script);
    writeFileSync(outputPath, '');
    const child = spawn('bpftrace', ['-o', outputPath, scriptPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const ready = await waitFor(() => exited() || statSync(outputPath).size >= 6, 60_000, 20);
    if (!ready || exited()) {
      child.kill('SIGKILL');
      throw new Error(`bpftrace did not start: ${stderr}`);
    }
    return new Bpftrace(child, outputPath, () => stderr);
  }

  /** Stops bpftrace and returns its output lines and the events it reported lost. */
  async stop(): Promise<{ lines: string[]; lost: number }> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGINT');
    await Promise.race([exited, sleep(10_000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    const text = readFileSync(this.outputPath, 'utf8');
    const lost = [...`${text}\n${this.stderr()}`.matchAll(/Lost (\d+) events/g)].reduce((n, m) => n + Number(m[1]), 0);
    return { lines: text.split('\n'), lost };
  }
}
