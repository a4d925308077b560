/**
 * The only way a path becomes a label: patterns the user names (`/v1/users/*`, `*` matching any run
 * of characters). A request's `path` label is the first pattern its URL path matches, or `other`: at
 * most one value per pattern, plus one.
 */
export class PathTemplates {
  private readonly compiled: Array<{ pattern: string; regex: RegExp }>;

  constructor(patterns: readonly string[]) {
    this.compiled = patterns.map((pattern) => ({
      pattern,
      regex: new RegExp(
        `^${pattern
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ),
    }));
  }

  get enabled(): boolean {
    return this.compiled.length > 0;
  }

  /** The pattern the URL's path matches, `other`, or undefined when no pattern was given. */
  of(url: string): string | undefined {
    if (!this.enabled) return undefined;
    const path = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(url)?.[1] ?? '';
    return this.compiled.find((c) => c.regex.test(path))?.pattern ?? 'other';
  }
}
