import type { Snooper } from 'httpwatcher';
import {
  runTraced as runTracedFromSource,
  type TracedRun,
} from '../../../packages/httpwatcher/src/test-support/traced-run.js';

/**
 * The host tests' runTraced, given the installed package's Snooper: the helper is typed against
 * the library's source, whose private fields TypeScript counts as a different class.
 */
export function runTraced(
  snoop: Snooper,
  path: string,
  args: string[],
  timeoutMs?: number,
  options?: Parameters<typeof runTracedFromSource>[4],
): Promise<TracedRun> {
  return runTracedFromSource(
    snoop as unknown as Parameters<typeof runTracedFromSource>[0],
    path,
    args,
    timeoutMs,
    options,
  );
}
