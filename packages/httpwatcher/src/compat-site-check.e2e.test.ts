import type { NativeTracer } from '@httpwatcher/bpf-native';
import { runBpfTests } from '@httpwatcher/test-support/gates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProbeSite } from './abi/encode-lifecycle.js';
import type { BinaryRegistry } from './binary-registry.js';
import type { HttpRequestEvent } from './http-event.js';
import { Snooper } from './snooper.js';
import { startFixture } from './test-support/fixtures.js';
import { clientPath } from './test-support/lifecycle-fixtures.js';

/** What the test reaches past the public API for: the sites the kernel checks each hit against. */
interface Internals {
  readonly tracer: NativeTracer;
  readonly binaries: BinaryRegistry;
}

const N = 200;

describe.runIf(runBpfTests)(
  'the compat build reads a process only on its binary\u2019s own probe sites (real BPF)',
  () => {
    let snoop: Snooper;
    let internals: Internals;
    const events: HttpRequestEvent[] = [];

    beforeAll(async () => {
      snoop = await Snooper.init({ flushIntervalMs: 10, bpfBuild: 'compat' });
      internals = snoop as unknown as Internals;
      void (async () => {
        for await (const ev of snoop.events()) events.push(ev);
      })();
    });
    afterAll(async () => {
      await snoop?.close();
    });

    /** Runs the bulk scenario in a fresh process of the client, attached first; resolves with its events. */
    async function run(between: () => void): Promise<{ events: HttpRequestEvent[]; hits: number }> {
      const client = await startFixture(clientPath(), ['-scenario', 'bulk', '-n', String(N)]);
      await snoop.attach(client.pid);
      between();
      const hitsBefore = snoop.stats().hits;
      const { exitCode } = await client.go();
      expect(exitCode).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { events: events.splice(0).filter((ev) => ev.pid === client.pid), hits: snoop.stats().hits - hitsBefore };
    }

    it('sends every request while the sites are in place, none once they are gone or off by one byte', async () => {
      expect(snoop.bpfBuild).toBe('compat');
      const traced = await run(() => {});
      expect([traced.events.length, traced.hits]).toEqual([N, N]);

      // Taken once the process is attached: its binary may have been released and probed again.
      let site: Buffer = Buffer.alloc(0);
      let shifted: Buffer = Buffer.alloc(0);
      const withoutSite = await run(() => {
        const [binary, ...others] = internals.binaries.all();
        expect([binary!.siteKeys.length, others.length]).toEqual([1, 0]);
        site = binary!.siteKeys[0]!;
        shifted = encodeProbeSite(binary!.id, Number(site.readBigUInt64LE(8)) + 1);
        expect(internals.tracer.deleteElem('probe_sites', site)).toBe(true);
        internals.tracer.updateElem('probe_sites', shifted, Buffer.from([1]));
      });
      expect([withoutSite.events.length, withoutSite.hits]).toEqual([0, 0]);

      const restored = await run(() => {
        const [binary] = internals.binaries.all();
        if (binary!.siteKeys[0]!.equals(site)) {
          internals.tracer.deleteElem('probe_sites', shifted);
          internals.tracer.updateElem('probe_sites', site, Buffer.from([1]));
        }
      });
      expect([restored.events.length, restored.hits]).toEqual([N, N]);
    });
  },
);
