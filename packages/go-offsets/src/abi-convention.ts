import type { AbiLayout, GoArch } from './layout.js';
import type { GoVersion } from './go-version.js';

export type AbiConvention = Omit<AbiLayout, 'goidOffset'>;

/**
 * Where `(*Client).do`'s `req` argument is at entry. Facts from Go's src/cmd/compile/abi-internal.md and the
 * release notes (written up in docs/go-abi.md), not from DWARF, which does not describe calling conventions:
 * - amd64 uses ABIInternal from Go 1.17 (linux; every OS from 1.18); arm64 from Go 1.18.
 * - `GOEXPERIMENT=noregabi` turned it off in 1.17/1.18 only; from 1.19 regabi is always on for amd64 and arm64.
 * - Under ABIInternal the receiver is in RAX / X0 and `req` in RBX / X1; the current g is in R14 / X28.
 * - Under ABI0 the arguments are on the stack: receiver at SP+8, `req` at SP+16 (return PC / LR slot at SP+0).
 */
export function abiConvention(
  version: Pick<GoVersion, 'minor'>,
  arch: GoArch,
  experiments: readonly string[],
): AbiConvention {
  const firstRegisterMinor = arch === 'amd64' ? 17 : 18;
  const regabiOptional = version.minor <= 18;
  const register = version.minor >= firstRegisterMinor && !(regabiOptional && experiments.includes('noregabi'));
  if (!register) return { kind: 'stack', requestArg: { stackOffset: 16 }, goroutineRegister: null };
  return arch === 'amd64'
    ? { kind: 'register', requestArg: { register: 'RBX' }, goroutineRegister: 'R14' }
    : { kind: 'register', requestArg: { register: 'X1' }, goroutineRegister: 'X28' };
}
