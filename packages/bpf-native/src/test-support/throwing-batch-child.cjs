// Child of ring-pump.e2e.test.ts: an onBatch that throws on its first batch. Every exec on the
// machine is reported (exec policy HW_EXEC_REPORT_UNKNOWN), so batches come as this process runs
// /bin/true. Prints how many batches arrived and what reached 'uncaughtException'.
const { spawnSync } = require('node:child_process');

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
const uncaught = [];
if (process.env.HW_LISTEN === '1') process.on('uncaughtException', (error) => uncaught.push(error.message));
let batches = 0;
tracer.start(() => {
  batches++;
  if (batches === 1) throw new Error('thrown by onBatch');
});
const deadline = Date.now() + 10_000;
const step = () => {
  if (batches >= 2 || Date.now() > deadline) {
    tracer.close();
    console.log(JSON.stringify({ batches, uncaught }));
    return;
  }
  spawnSync('/bin/true');
  setTimeout(step, 20);
};
step();
