import { GoElfError } from './go-elf-error.js';

/** The minor release of a Go version string: `go1.25.5 X:nodwarf5` → 25, `devel go1.26-abc…` → 26. */
export function goMinorVersion(goVersion: string): number | undefined {
  const match = /\bgo1\.(\d+)/.exec(goVersion);
  return match ? Number(match[1]) : undefined;
}

const maxGoVersionBytes = 256;

/**
 * The Go version from build info, checked: whoever built the binary wrote it, and it is printed to
 * terminals and logs. Go toolchains write printable ASCII starting with `go` (`go1.24.4`,
 * `go1.25.5 X:nodwarf5`) or `devel` (`devel go1.26-abcdef Mon Jul 1 …`); anything else (control
 * bytes, non-ASCII, a long text) is rejected as INVALID_GO_VERSION.
 */
export function checkedGoVersion(bytes: Buffer, path: string): string {
  const printable = bytes.every((b) => b >= 0x20 && b <= 0x7e);
  const text = bytes.toString('latin1');
  if (printable && bytes.length <= maxGoVersionBytes && /^(go|devel )/.test(text)) return text;
  const shown = JSON.stringify(text).replace(
    /[\u007f-\u00ff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  throw new GoElfError(
    'INVALID_GO_VERSION',
    path,
    `expected the build info's Go version to be printable ASCII starting with "go" or "devel", at most ` +
      `${maxGoVersionBytes} bytes, found ${bytes.length} bytes: ${shown}; the build info is corrupt or forged`,
  );
}
