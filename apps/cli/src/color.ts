import type { ColorChoice } from './args.js';

/**
 * Whether to colour output. `always`/`never` win over the environment (as no-color.org asks of
 * command-line flags); under `auto`, NO_COLOR (any non-empty value) turns colour off, FORCE_COLOR
 * (non-empty, not "0" or "false") turns it on, and otherwise only a terminal gets colour.
 */
export function useColor(choice: ColorChoice, isTerminal: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (choice !== 'auto') return choice === 'always';
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false')
    return true;
  return isTerminal;
}
