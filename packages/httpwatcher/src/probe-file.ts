import type { BinaryRegistry, ProbedBinary } from './binary-registry.js';
import type { ResolveOptions, ProbeConfigCache } from './resolve-process-binary.js';
import type { SnooperLifetime } from './snooper-lifetime.js';
import { toSnooperError } from './to-snooper-error.js';

/** What probing a file by path needs. */
export interface FileProber {
  readonly probeConfigs: ProbeConfigCache;
  readonly binaries: BinaryRegistry;
  readonly lifetime: SnooperLifetime;
}

/** The probe of the binary at `path`, attached if needed: spawn() and attachBinary() name files, not processes. */
export async function probeFile(
  { probeConfigs, binaries, lifetime }: FileProber,
  path: string,
  options: ResolveOptions = {},
): Promise<ProbedBinary> {
  let resolved: Awaited<ReturnType<ProbeConfigCache['forFile']>>;
  try {
    resolved = await probeConfigs.forFile(path, options);
  } catch (error) {
    throw toSnooperError(error);
  }
  let binary: ProbedBinary;
  try {
    lifetime.assertOpen();
    binary = await binaries.acquire(resolved.file, resolved.probeConfig, path);
  } catch (error) {
    lifetime.assertOpen();
    throw toSnooperError(error);
  } finally {
    await resolved.file.close().catch(() => undefined);
  }
  lifetime.assertOpen();
  return binary;
}
