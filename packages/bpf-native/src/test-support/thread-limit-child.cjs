// Child of link-reaper.e2e.test.ts: attaches a uprobe, moves itself into the pids cgroup HW_CGROUP
// and caps it at the tasks it has, so no thread can be created any more, then detaches. Prints
// what detach returned, the links left, and how often the cgroup refused a new task meanwhile.
const { copyFileSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const refusals = (cgroup) => Number(/max (\d+)/.exec(readFileSync(join(cgroup, 'pids.events'), 'utf8'))[1]);

async function main() {
  const addon = require(process.env.HW_ADDON);
  const tracer = new addon.Tracer(process.env.HW_OBJECT, {
    ringBytes: 1 << 20,
    wakeupBytes: 1 << 16,
    spillBytes: 1 << 20,
    maxProcesses: 16,
    maxBinaries: 16,
    maxUntraceable: 64,
    flushIntervalMs: 50,
  });
  const idle = join(mkdtempSync(join(tmpdir(), 'hw-reaper-')), 'idle');
  copyFileSync('/bin/true', idle);
  const id = await tracer.attachUprobe(idle, 0, -1, 1); // also starts libuv's thread pool
  const cgroup = process.env.HW_CGROUP;
  writeFileSync(join(cgroup, 'cgroup.procs'), String(process.pid));
  writeFileSync(join(cgroup, 'pids.max'), readFileSync(join(cgroup, 'pids.current'), 'utf8').trim());
  const refusedBefore = refusals(cgroup);
  const detached = tracer.detach(id);
  const result = {
    detached,
    linkCount: tracer.linkCount(),
    detachesInFlight: tracer.detachesInFlight(),
    refused: refusals(cgroup) - refusedBefore,
  };
  tracer.close();
  console.log(JSON.stringify(result));
}
main();
