import { unprovenProbeOffsets } from '@httpwatcher/go-elf';
import type { OpenBinary } from './binary-file.js';
import type { ProbeConfig } from './resolve-process-binary.js';
import { SnooperError } from './snooper-error.js';

const maxFunctionBytes = 16 << 20;

/**
 * The last check before any uprobe is attached: every offset about to take a breakpoint (the entry
 * probe and each return site) must be an instruction start of the probed function, proven from the
 * bytes of the very file the attach goes through. A breakpoint elsewhere would corrupt every process
 * running that file, so anything unproven is refused before the kernel is asked.
 */
export async function assertProbeSites(
  file: OpenBinary,
  probeConfig: ProbeConfig,
  fileOffsets: readonly number[],
  exe: string,
  /** The function the offsets belong to: net/http.(*Client).do unless said. */
  fn: ProbeConfig['probeFunction'] = probeConfig.probeFunction,
): Promise<void> {
  const refuse = (why: string) =>
    new SnooperError(
      'PROBE_NOT_AT_INSTRUCTION',
      `${exe}: refusing to attach a uprobe: ${why}; nothing was attached (the file may have changed since it was analysed: attach again)`,
    );
  if (
    fn.sizeBytes <= 0 ||
    fn.sizeBytes > maxFunctionBytes ||
    fn.fileOffset < 0 ||
    fn.fileOffset + fn.sizeBytes > Number(file.identity.sizeBytes)
  )
    throw refuse(`the probed function (${fn.sizeBytes} bytes at file offset ${fn.fileOffset}) is not inside the file`);
  const code = await file.read(fn.fileOffset, fn.sizeBytes);
  const unproven = unprovenProbeOffsets(
    probeConfig.arch,
    code,
    fn.address,
    fileOffsets.map((offset) => offset - fn.fileOffset),
  );
  if (unproven.length > 0)
    throw refuse(
      `file offsets ${unproven.map((o) => `0x${(o + fn.fileOffset).toString(16)}`).join(', ')} are not instruction starts of the probed function in this file`,
    );
}
