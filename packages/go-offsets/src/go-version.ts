import { OffsetsError } from './offsets-error.js';

export interface GoVersion {
  readonly major: number;
  readonly minor: number;
  /** 0 for `go1.20` (Go < 1.21 named the first release without `.0`) and for pre-releases. */
  readonly patch: number;
  /** `rc1`, `beta2`: pre-releases of `major.minor`. */
  readonly pre?: string;
  /** GOEXPERIMENT names baked into the toolchain, from the ` X:a,b` suffix (`nodwarf5`, `noswissmap`). */
  readonly experiments: string[];
  /** A development build (`devel go1.26-abcdef …`): its layout can be anything between two releases. */
  readonly devel: boolean;
}

// go1.24.4 | go1.21rc2 | go1.20 | go1 | 1.24 (user input for --assume-go) | go1.22.0-bigcorp (vendor suffix,
// stripped as go/version.Lang does) | devel go1.26-3c9e1a3b Mon Jul 1 … (the suffix is a commit hash).
const versionPattern =
  /^(devel\s+)?(?:go)?(\d{1,4})(?:\.(\d{1,4}))?(?:\.(\d{1,6}))?((?:alpha|beta|rc)\d{1,4})?(?:[-+]\S*)?(?:\s|$)/;
// Build info is written by whoever built the binary: a version is printable ASCII (a space between the
// version and its suffixes), nothing else, so that it is safe to print, log and compare.
const printableAscii = /^[\x20-\x7e]*$/;
const maxVersionChars = 256;
// runtime.Version() and buildinfo append " X:exp1,exp2" when the toolchain was built with experiments.
const experimentsPattern = /(?:^|\s)X:(\S+)/;

/** `"text"` for a message, controls (C0, DEL, C1) escaped: the text may come from a hostile binary. */
const quoteForMessage = (text: string): string =>
  JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Parses a Go version as found in buildinfo, `runtime.Version()`, `go version` or typed by a user.
 * Strict: printable ASCII only, at most 256 characters, starting with a version.
 */
export function parseGoVersion(v: string): GoVersion {
  const text = v.trim();
  const match = versionPattern.exec(text);
  if (!match || v.length > maxVersionChars || !printableAscii.test(v)) {
    throw new OffsetsError(
      'INVALID_GO_VERSION',
      `${quoteForMessage(v)} is not a Go version: expected printable ASCII like "go1.24.4", "go1.25.5 X:noswissmap" or ` +
        `"devel go1.26-abcdef …". Development builds without a version ("devel +abcdef") cannot be matched; ` +
        `pass the release they are based on (--assume-go).`,
      { goVersion: v },
    );
  }
  const [, devel, major, minor, patch, pre] = match;
  const experiments = (experimentsPattern.exec(text)?.[1] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  const version: GoVersion = {
    major: Number(major),
    minor: Number(minor ?? 0),
    patch: Number(patch ?? 0),
    experiments,
    devel: devel !== undefined,
  };
  return pre === undefined ? version : { ...version, pre };
}

/** `go1.24`, the key of a table entry. */
export function minorName(version: Pick<GoVersion, 'major' | 'minor'>): string {
  return `go${version.major}.${version.minor}`;
}

/** Experiments from the version suffix plus a GOEXPERIMENT build setting (`noswissmap,nodwarf5`). */
export function goExperiments(version: GoVersion, goexperiment: string | undefined): string[] {
  const fromSetting = (goexperiment ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  return [...new Set([...version.experiments, ...fromSetting])];
}
