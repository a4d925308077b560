// Child of ring-pump.e2e.test.ts: keeps the first batches onBatch receives and lets the others be
// collected, with a full collection after each, so that their blocks go back to the addon's pool
// and carry later batches (batch-buffers.h). Every exec on the machine is reported, so batches
// come as this process runs /bin/true. Prints whether each kept batch still holds its own bytes.
const { spawnSync } = require('node:child_process');
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const addon = require(process.env.HW_ADDON);
const tracer = new addon.Tracer(process.env.HW_OBJECT, {
  ringBytes: 1 << 20,
  wakeupBytes: 1,
  spillBytes: 1 << 20,
  maxProcesses: 16,
  maxBinaries: 16,
  maxUntraceable: 64,
  flushIntervalMs: 10,
});
const u32 = (value) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};
tracer.updateElem('exec_policy', u32(0), u32(1));
const keep = 8;
const want = 64;
const kept = [];
let batches = 0;
tracer.start((batch) => {
  batches++;
  if (kept.length < keep) kept.push({ batch, copy: Buffer.from(batch) });
  else batch.fill(0xa5); // scribbles on a block that will be reused: a kept batch sharing it would show it
});
const deadline = Date.now() + 20_000;
const step = () => {
  gc();
  if (batches >= want || Date.now() > deadline) {
    tracer.close();
    const intact = kept.map(({ batch, copy }) => batch.equals(copy));
    console.log(JSON.stringify({ batches, intact }));
    return;
  }
  spawnSync('/bin/true');
  setTimeout(step, 10);
};
step();
