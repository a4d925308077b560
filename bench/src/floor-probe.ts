import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LineReader } from './line-reader.js';
import { benchOut } from './paths.js';

/** The bare-uprobe floor: bench/floor/count-hits attached at one or more file offsets for one process. */
export class FloorProbe {
  private constructor(private readonly stop_: () => Promise<number>) {}

  /** Hits are counted together: with several offsets, `stop()` returns their sum. */
  static async attach(binary: string, fileOffsets: number | readonly number[], pid: number): Promise<FloorProbe> {
    const offsets = typeof fileOffsets === 'number' ? [fileOffsets] : fileOffsets;
    if (offsets.length === 0) throw new Error('count-hits: no file offset to attach to');
    const child = spawn(join(benchOut, 'count-hits'), [binary, offsets.join(','), String(pid)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = new LineReader(child.stdout);
    const first = await lines.next(10_000, 'count-hits attach');
    if (first !== 'attached') throw new Error(`count-hits did not attach: ${stderr}`);
    return new FloorProbe(async () => {
      child.stdin.end('\n');
      const line = await lines.next(10_000, 'count-hits result');
      return (JSON.parse(line ?? '{}') as { hits?: number }).hits ?? Number.NaN;
    });
  }

  /** Detaches and returns the hits counted. */
  stop(): Promise<number> {
    return this.stop_();
  }
}
