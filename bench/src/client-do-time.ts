import { Snooper, type SnooperOptions } from 'httpwatcher';
import { bpfRunTime } from './bpf-run-time.js';
import { EventCounter } from './event-counter.js';
import { GoProgram } from './go-program.js';

/**
 * client_do's own cost per hit (kernel.bpf_stats_enabled) under two Snooper configurations (two
 * BPF objects or builds), in rounds that alternate which goes first, on one client process making
 * `calls` in-process calls per round. Resolves with the nanoseconds per hit of each, one per round.
 */
export async function compareClientDoTime<K extends string>(
  binary: string,
  rounds: number,
  calls: number,
  variants: Record<K, SnooperOptions>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  if (names.length !== 2) throw new Error('compareClientDoTime compares two variants');
  const result = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const program = await GoProgram.start(binary, ['-transport', 'inproc']);
  try {
    await program.run(calls); // warm the program up untraced
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const variant of order) {
        const snoop = await Snooper.init(variants[variant]);
        const consumer = new EventCounter(snoop);
        try {
          const ran = await bpfRunTime(async (sample) => {
            await snoop.attach(program.pid);
            await program.run(calls);
            sample();
            await snoop.detach(program.pid);
          }, calls / 2);
          // This tracer's client_do ran once per call; other tracers' programs on the machine did not.
          const clientDo = ran.find((p) => p.name === 'client_do' && p.runs === calls);
          if (!clientDo) throw new Error(`no client_do ran exactly ${calls} times (${variant})`);
          result[variant].push(clientDo.nsPerRun);
        } finally {
          await snoop.close();
          await consumer.done;
        }
      }
    }
  } finally {
    await program.stop();
  }
  return result;
}
