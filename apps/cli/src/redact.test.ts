import { describe, expect, it } from 'vitest';
import { isSecretHeader, redactHeaders, redactValue } from './redact.js';

describe('redaction', () => {
  it('keeps the scheme word of an Authorization value', () => {
    expect(redactValue('Bearer abc.def.ghi')).toBe('Bearer ****');
    expect(redactValue('Basic Zm9vOmJhcg==')).toBe('Basic ****');
    expect(redactValue('opaque-token')).toBe('****');
  });

  it('masks credential headers case-insensitively and leaves others alone', () => {
    expect(
      redactHeaders({ authorization: 'Bearer x', Cookie: 'a=b', 'X-Api-Key': 'k', 'X-Auth-Token': 't', Accept: 'text/plain' }),
    ).toEqual({ authorization: 'Bearer ****', Cookie: '****', 'X-Api-Key': '****', 'X-Auth-Token': '****', Accept: 'text/plain' });
    expect(isSecretHeader('X-Github-Token')).toBe(true);
    expect(isSecretHeader('X-Request-Id')).toBe(false);
  });
});
