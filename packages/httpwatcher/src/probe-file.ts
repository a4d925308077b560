import type { BinaryRegistry, ProbedBinary } from './binary-registry.js';
import type { ResolveOptions, TargetCache } from './resolve-target.js';
import type { SnooperLifetime } from './snooper-lifetime.js';
import { toSnooperError } from './to-snooper-error.js';

/** What probing a file by path needs. */
export interface FileProber {
  readonly targets: TargetCache;
  readonly binaries: BinaryRegistry;
  readonly lifetime: SnooperLifetime;
}

/** The probe of the binary at `path`, attached if needed: spawn() and attachBinary() name files, not processes. */
export async function probeFile(
  { targets, binaries, lifetime }: FileProber,
  path: string,
  options: ResolveOptions = {},
): Promise<ProbedBinary> {
  let resolved: Awaited<ReturnType<TargetCache['forFile']>>;
  try {
    resolved = await targets.forFile(path, options);
  } catch (error) {
    throw toSnooperError(error);
  }
  let binary: ProbedBinary;
  try {
    lifetime.assertOpen();
    binary = await binaries.acquire(resolved.file, resolved.target, path);
  } catch (error) {
    lifetime.assertOpen();
    throw toSnooperError(error);
  } finally {
    await resolved.file.close().catch(() => undefined);
  }
  lifetime.assertOpen();
  return binary;
}
