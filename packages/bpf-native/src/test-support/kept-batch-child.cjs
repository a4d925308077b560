// Child of ring-pump.e2e.test.ts: keeps the first batches onBatch receives and lets the others be
// collected, with a full collection after each, so that their blocks go back to the addon's pool
// and carry later batches (batch-buffers.h). Prints whether each kept batch still holds its own bytes.
const { spawnSync } = require('node:child_process');
const v8 = require('node:v8');
const vm = require('node:vm');
const { openExecTracer } = require('./exec-tracer.cjs');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const tracer = openExecTracer();
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
