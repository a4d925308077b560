// For the child processes of ring-pump.e2e.test.ts: a tracer on the addon and BPF object the test
// names (HW_ADDON, HW_OBJECT) that reports every exec on the machine (exec policy
// HW_EXEC_REPORT_UNKNOWN), so that batches come as the child runs /bin/true.
function openExecTracer() {
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
  return tracer;
}

module.exports = { openExecTracer };
