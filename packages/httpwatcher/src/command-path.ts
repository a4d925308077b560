import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SnooperError } from './snooper-error.js';

/**
 * The file `command` names, as execvp(3) would find it: a path when it contains a slash, else the
 * first executable match in `searchPath`. spawn() resolves it first, to probe that very file.
 */
export async function resolveCommandPath(
  command: string,
  searchPath = process.env.PATH ?? '',
  cwd = process.cwd(),
): Promise<string> {
  if (command.length === 0) throw new SnooperError('INVALID_ARGUMENT', 'the command is empty');
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : searchPath
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => resolve(cwd, join(dir, command)));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new SnooperError(
    'NO_SUCH_FILE',
    command.includes('/')
      ? `${command}: no such executable file`
      : `${command}: not found in PATH (${searchPath || 'empty'})`,
  );
}
