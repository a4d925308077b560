import { Snooper } from 'httpwatcher';
import { recordsOf } from '../../../packages/httpwatcher/src/abi/ring-records.js';
import { expectedCapture } from '../../../packages/httpwatcher/src/test-support/expected-capture.js';
import { countForms } from '../../../packages/httpwatcher/src/test-support/header-forms.js';
import { recordingBinding } from '../../../packages/httpwatcher/src/test-support/recording-binding.js';
import { runTraced } from './traced.js';
import type { GuestFixture } from '../guest-plan.js';
import type { Findings } from './findings.js';

/**
 * image-strings.e2e in a guest: the literal header keys and values of the capture scenario
 * (h.Set("Accept", "text/html") and the like, in the binary's read-only data) reach user space as
 * offsets into the image and are read from the file, a PIE's through its load bias; the built
 * ones as bytes. Every event still says exactly what the program sent.
 */
export async function checkImageStrings(fixture: GuestFixture, f: Findings): Promise<Record<string, unknown>> {
  const records: Buffer[] = [];
  const binding = recordingBinding((batch) => records.push(...[...recordsOf(batch)].map((r) => Buffer.from(r))));
  // The installed Snooper takes the binding of the installed @httpwatcher/bpf-native (bundled as external).
  const snoop = await Snooper.init({
    binding: binding as unknown as NonNullable<Parameters<typeof Snooper.init>[0]>['binding'],
  });
  try {
    const run = await runTraced(snoop, fixture.path, ['-scenario', 'capture']);
    f.same('fixture exit code', run.exitCode, 0);
    f.same('events', run.events.length, run.truths.length);
    const forms = countForms(records, run.pid);
    if (forms.inImage <= 10)
      f.add(`only ${forms.inImage} header strings came as image offsets (expected more than 10)`);
    if (forms.asBytes <= 100) f.add(`only ${forms.asBytes} header strings came as bytes (expected more than 100)`);
    run.truths.forEach((truth, i) => {
      const want = expectedCapture(truth);
      const ev = run.events[i];
      if (!ev) return;
      f.same(`${truth.name}: header count`, Object.keys(ev.headers).length, want.capturedHeaders);
      for (const [key, value] of Object.entries(ev.headers))
        f.same(`${truth.name}: ${key}`, value, want.headers.get(key)?.value);
    });
    f.same('incomplete events', run.events.filter((e) => e.incomplete).length, 0);
    return forms;
  } finally {
    await snoop.close();
  }
}
