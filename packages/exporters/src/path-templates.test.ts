import { describe, expect, it } from 'vitest';
import { PathTemplates } from './path-templates.js';

describe('PathTemplates', () => {
  it('names the first pattern the path matches, else "other"; the query and fragment are not the path', () => {
    const t = new PathTemplates(['/v1/users/*', '/v1/*', '/healthz']);
    expect(t.of('http://a/v1/users/42?x=1')).toBe('/v1/users/*');
    expect(t.of('http://a/v1/items/7#f')).toBe('/v1/*');
    expect(t.of('https://a:8443/healthz')).toBe('/healthz');
    expect(t.of('http://a/healthz/deep')).toBe('other');
    expect(t.of('http://a')).toBe('other');
  });

  it('treats regular expression characters literally and gives nothing without patterns', () => {
    expect(new PathTemplates(['/a.b/(x)']).of('http://h/a.b/(x)')).toBe('/a.b/(x)');
    expect(new PathTemplates(['/a.b']).of('http://h/axb')).toBe('other');
    expect(new PathTemplates([]).of('http://h/x')).toBeUndefined();
  });
});
