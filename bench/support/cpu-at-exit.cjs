// Preloaded into the CLI by the cli-throughput figure (node -r): at exit, prints the process's own
// CPU time and VmHWM on stderr, where the bench reads them (a parent cannot read them once the
// child is reaped).
'use strict';
const { readFileSync, writeSync } = require('node:fs');

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  writeSync(2, `\nbench-at-exit cpuUs=${cpu.user + cpu.system} hwmKb=${hwm ? hwm[1] : 'NaN'}\n`);
});
