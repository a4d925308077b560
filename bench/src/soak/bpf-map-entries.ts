import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fdInfoField, fdTargets } from './cli-descriptors.js';

const execFileAsync = promisify(execFile);

/** bpf_map_type values of the maps whose entries come and go (include/uapi/linux/bpf.h). */
const hashMapTypes = new Set(['1', '9']); // BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH

async function bpftoolJson<T>(args: string[]): Promise<T> {
  const { stdout } = await execFileAsync('bpftool', ['-j', ...args], { maxBuffer: 256 << 20 });
  return JSON.parse(stdout) as T;
}

/**
 * Entries in the hash maps a process holds (traced_procs, watched, probe_configs, probe_sites,
 * held, ignored, calls), counted with bpftool. The maps are found through the process's own
 * descriptors, so another tracer's maps of the same names do not count.
 */
export class BpfMapEntries {
  private readonly names = new Map<number, string>();

  constructor(private readonly pid: number) {}

  private mapIds(): number[] {
    const ids: number[] = [];
    for (const [fd, target] of fdTargets(this.pid)) {
      if (target !== 'anon_inode:bpf-map') continue;
      const id = fdInfoField(this.pid, fd, 'map_id');
      if (id !== undefined && hashMapTypes.has(fdInfoField(this.pid, fd, 'map_type') ?? '')) ids.push(Number(id));
    }
    return ids;
  }

  /** Entries by map name; run in the background (bpftool), so the soak keeps reading the output meanwhile. */
  async count(): Promise<Record<string, number>> {
    const entries: Record<string, number> = {};
    for (const id of this.mapIds()) {
      let name = this.names.get(id);
      if (name === undefined) {
        name = (await bpftoolJson<{ name: string }>(['map', 'show', 'id', String(id)])).name;
        this.names.set(id, name);
      }
      entries[name] = (await bpftoolJson<unknown[]>(['map', 'dump', 'id', String(id)])).length;
    }
    return entries;
  }
}
