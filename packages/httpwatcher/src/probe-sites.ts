import type { ProbeLocation } from '@httpwatcher/go-elf';
import { MAX_SITES_PER_BINARY } from './abi/bpf-abi.js';
import { encodeProbeSite } from './abi/encode-lifecycle.js';
import { SnooperError } from './snooper-error.js';

/**
 * The `probe_sites` keys of one binary's uprobe sites, for the compat build of the BPF program
 * (Linux 5.8-5.16 has no BPF cookies): each site as an offset from the binary's lowest executable
 * address, which is where the kernel puts `mm->start_code` in every process of it.
 */
export function probeSiteKeys(
  binaryId: number,
  executableStart: number | undefined,
  sites: readonly ProbeLocation[],
  exe: string,
): Buffer[] {
  if (executableStart === undefined)
    throw new SnooperError('INVALID_BINARY', `${exe}: the file has no executable segment, so no probe can be placed`);
  if (sites.length > MAX_SITES_PER_BINARY)
    throw new SnooperError(
      'ATTACH_FAILED',
      `${exe}: ${sites.length} probe sites, more than the ${MAX_SITES_PER_BINARY} per binary this kernel's BPF build checks; ` +
        'trace it without response or transport tracing, or on Linux 5.17 or later',
    );
  return sites.map((site) => {
    const offset = site.address - executableStart;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new SnooperError('INVALID_BINARY', `${exe}: a probe site lies below the file's executable segments`);
    return encodeProbeSite(binaryId, offset);
  });
}

/** The value of every `probe_sites` entry. */
export const probeSitePresent = Buffer.from([1]);
