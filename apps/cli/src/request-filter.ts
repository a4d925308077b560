import { UsageError } from './usage-error.js';

/**
 * `--filter FIELD=PATTERN[,PATTERN...]` keeps requests whose FIELD matches one of the patterns;
 * `FIELD!=...` drops them. FIELD is method, host or path; `*` in a pattern matches any run of
 * characters. Repeated filters must all hold.
 */
export interface RequestFilter {
  readonly field: FilterField;
  readonly negate: boolean;
  readonly patterns: readonly RegExp[];
}

export type FilterField = 'method' | 'host' | 'path';

export interface FilterableRequest {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
}

const fields: readonly FilterField[] = ['method', 'host', 'path'];

const globToRegExp = (glob: string, caseless: boolean): RegExp =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    caseless ? 'i' : '',
  );

export function parseFilter(text: string): RequestFilter {
  const m = /^([a-z]+)(!?=)(.*)$/.exec(text);
  const bad = (why: string): UsageError =>
    new UsageError(
      'BAD_FILTER',
      `--filter "${text}": ${why}; expected FIELD=PATTERN or FIELD!=PATTERN with FIELD one of ${fields.join(', ')}, e.g. host=api.*`,
    );
  if (!m) throw bad('no "=" or "!="');
  const field = m[1] as FilterField;
  if (!fields.includes(field)) throw bad(`unknown field "${m[1]}"`);
  const globs = m[3]!.split(',');
  if (globs.some((g) => g === '')) throw bad('empty pattern');
  return { field, negate: m[2] === '!=', patterns: globs.map((g) => globToRegExp(g, field !== 'path')) };
}

/** Host (with port) and path of a URL as Go's URL.String() writes it. */
export function urlHostAndPath(url: string): { host: string; path: string } {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)([^?#]*)/.exec(url);
  return { host: m?.[1] ?? '', path: m?.[2] ?? '' };
}

const withoutPort = (host: string): string => host.replace(/:\d*$/, '');

/** Candidate values of a field: host matches the URL's host or the Host override, with or without port. */
function valuesOf(field: FilterField, req: FilterableRequest): string[] {
  if (field === 'method') return [req.method];
  const { host, path } = urlHostAndPath(req.url);
  if (field === 'path') return [path];
  const hosts = req.host === undefined ? [host] : [host, req.host];
  return hosts.flatMap((h) => [h, withoutPort(h)]);
}

export function matchesFilters(filters: readonly RequestFilter[], req: FilterableRequest): boolean {
  return filters.every((f) => {
    const hit = valuesOf(f.field, req).some((v) => f.patterns.some((p) => p.test(v)));
    return hit !== f.negate;
  });
}
