// Child of ring-pump.e2e.test.ts: an onBatch that throws on its first batch. Prints how many
// batches arrived and what reached 'uncaughtException'.
const { spawnSync } = require('node:child_process');
const { openExecTracer } = require('./exec-tracer.cjs');

const tracer = openExecTracer();
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
