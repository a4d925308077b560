/** The minor release of a Go version string: `go1.25.5 X:nodwarf5` → 25, `devel go1.26-abc…` → 26. */
export function goMinorVersion(goVersion: string): number | undefined {
  const match = /\bgo1\.(\d+)/.exec(goVersion);
  return match ? Number(match[1]) : undefined;
}
