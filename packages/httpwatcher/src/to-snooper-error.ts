import { GoElfError } from '@httpwatcher/go-elf';
import { OffsetsError, type OffsetsErrorCode } from '@httpwatcher/go-offsets';
import { privilegeAdvice, uprobeRefusedMessage } from './permission-advice.js';
import { SnooperError, type SnooperErrorCode } from './snooper-error.js';

const elfCodes: Record<string, SnooperErrorCode> = {
  NO_SUCH_PROCESS: 'NO_SUCH_PROCESS',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  NOT_ELF: 'NOT_GO_BINARY',
  NOT_GO_BINARY: 'NOT_GO_BINARY',
  NO_BUILD_INFO: 'NOT_GO_BINARY',
  UNSUPPORTED_ELF_CLASS: 'UNSUPPORTED_ARCH',
  UNSUPPORTED_ENDIANNESS: 'UNSUPPORTED_ARCH',
  UNSUPPORTED_MACHINE: 'UNSUPPORTED_ARCH',
  SYMBOL_NOT_FOUND: 'NO_HTTP_CLIENT',
};

const offsetsCodes: Partial<Record<OffsetsErrorCode, SnooperErrorCode>> = {
  UNSUPPORTED_ARCH: 'UNSUPPORTED_ARCH',
  INPUT_TOO_LARGE: 'INVALID_BINARY',
  DWARF_CORRUPT: 'INVALID_BINARY',
  // Not a property of the file: on an overloaded machine a real binary may run out of time once.
  BUDGET_EXCEEDED: 'ANALYSIS_BUDGET_EXCEEDED',
};

/** What a user should know about a binary that is not traced, by code. */
const elfHints: Partial<Record<SnooperErrorCode, string>> = {
  NO_HTTP_CLIENT: ' The program does not contain net/http.(*Client).do, so it makes no requests httpwatcher can see.',
  NOT_GO_BINARY: ' httpwatcher traces Go programs only.',
};

/** Maps errors from the layers below onto the facade's codes, keeping the original as `cause`. */
export function toSnooperError(error: unknown, pid?: number): SnooperError {
  if (SnooperError.isInstance(error)) return error;
  const who = pid === undefined ? '' : `pid ${pid}: `;
  if (error instanceof GoElfError || (error as { name?: string })?.name === 'GoElfError') {
    const e = error as GoElfError;
    const code = elfCodes[e.code] ?? 'INVALID_BINARY';
    const hint = elfHints[code] ?? '';
    return new SnooperError(code, `${who}${e.message}.${hint}`, { pid, cause: error });
  }
  if (error instanceof OffsetsError || (error as { name?: string })?.name === 'OffsetsError') {
    const e = error as OffsetsError;
    const code = offsetsCodes[e.code] ?? 'UNSUPPORTED_GO_VERSION';
    return new SnooperError(code, `${who}${e.message}`, { pid, cause: error });
  }
  const native = error as { code?: string; message?: string; operation?: string };
  if (native?.code === 'EPERM' || native?.code === 'EACCES') {
    // perf_event_open refuses a uprobe before it looks at the file: the capability check comes first.
    const message = native.operation?.includes('uprobe')
      ? uprobeRefusedMessage(native.code)
      : `${native.message}. ${privilegeAdvice()}`;
    return new SnooperError('PERMISSION_DENIED', `${who}${message}`, { pid, cause: error });
  }
  if (native?.code === 'ENOENT' || native?.code === 'ESRCH') {
    return new SnooperError('NO_SUCH_PROCESS', `${who}the process is gone (${native.message})`, { pid, cause: error });
  }
  if (native?.code === 'E2BIG' || native?.code === 'ENOSPC') {
    return new SnooperError(
      'TOO_MANY_PROCESSES',
      `${who}the BPF maps are full (${native.message}); raise maxProcesses, or detach processes first`,
      { pid, cause: error },
    );
  }
  if (native?.code === 'ERR_CLOSED')
    return new SnooperError('CLOSED', `${who}the Snooper was closed meanwhile`, { pid, cause: error });
  return new SnooperError('ATTACH_FAILED', `${who}${native?.message ?? String(error)}`, { pid, cause: error });
}
