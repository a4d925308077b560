import { resolveProcessBinary, type Snooper } from 'httpwatcher';
import { bpfRunTime } from './bpf-run-time.js';
import { Bpftrace, bpftracePrintScript } from './bpftrace-printer.js';
import { FloorProbe } from './floor-probe.js';
import { GoProgram } from './go-program.js';

export interface ProgramTime {
  mode: string;
  /** Summed over the programs that ran, per call. */
  nsPerHit: number;
  programs: Array<{ name: string; nsPerRun: number; runs: number }>;
}

/** Runs one round per tracer with BPF run-time statistics on, to split program time from trap time. */
export async function programTimes(binary: string, snoop: Snooper): Promise<ProgramTime[]> {
  const calls = 50_000;
  const program = await GoProgram.start(binary, ['-transport', 'inproc']);
  const resolved = await resolveProcessBinary(program.pid);
  const script = bpftracePrintScript(binary, resolved);
  const out: ProgramTime[] = [];
  try {
    const modes: Array<[string, (sample: () => void) => Promise<void>]> = [
      [
        'floor',
        async (sample) => {
          const probe = await FloorProbe.attach(binary, resolved.probe.fileOffset, program.pid);
          await program.run(calls);
          sample();
          await probe.stop();
        },
      ],
      [
        'httpwatcher',
        async (sample) => {
          await snoop.attach(program.pid);
          await program.run(calls);
          sample();
          await snoop.detach(program.pid);
        },
      ],
      [
        'bpftrace printing',
        async (sample) => {
          const bt = await Bpftrace.start('print-runtime', script);
          await program.run(calls);
          sample();
          await bt.stop();
        },
      ],
    ];
    for (const [mode, work] of modes) {
      const programsRun = await bpfRunTime(work, calls / 2);
      out.push({
        mode,
        nsPerHit: programsRun.reduce((s, p) => s + (p.nsPerRun * p.runs) / calls, 0),
        programs: programsRun,
      });
    }
  } finally {
    await program.stop();
  }
  return out;
}
