import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@httpwatcher/test-support/repo-root';

const header = join(repoRoot, 'bpf', 'httpwatcher.h');

/**
 * What bpf/httpwatcher.h says, as the host C compiler sees it: compiles a program whose
 * `statements` each printf one or more `"name": value,` members of a JSON object (with
 * `OFF(struct, field)` for an offset), runs it, and parses what it printed.
 */
export function dumpHeader(statements: readonly string[]): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-abi-'));
  const source = `#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "${header}"
#define OFF(t, f) printf("\\"" #t "." #f "\\": %zu,\\n", offsetof(struct t, f))
int main(void) {
  printf("{\\n");
${statements.map((s) => `  ${s}`).join('\n')}
  printf("\\"end\\": 0}\\n");
  return 0;
}
`;
  writeFileSync(join(dir, 'dump.c'), source);
  execFileSync('cc', ['-o', join(dir, 'dump'), join(dir, 'dump.c')]);
  return JSON.parse(execFileSync(join(dir, 'dump'), { encoding: 'utf8' })) as Record<string, number>;
}
