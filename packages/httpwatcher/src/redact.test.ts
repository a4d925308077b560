import { describe, expect, it } from 'vitest';
import {
  isSecretHeader,
  isSecretQueryParameter,
  redactHeaders,
  redactUrl,
  redactValue,
  SecretRedactor,
} from './redact.js';

describe('redaction', () => {
  it('masks the original URL of a transport event as it masks its URL', () => {
    const redactor = new SecretRedactor();
    const base = { headers: {}, truncated: { fields: [], headers: false, headerKeys: [], headerValues: [] } };
    expect(
      redactor.request({
        ...base,
        url: 'http://h/next?access_token=abc',
        originalUrl: 'http://h/start?access_token=abc',
      }),
    ).toEqual({ url: 'http://h/next?access_token=****', headers: {}, originalUrl: 'http://h/start?access_token=****' });
    expect(redactor.request({ ...base, url: 'http://h/' })).not.toHaveProperty('originalUrl');
  });

  it('keeps the scheme word of an Authorization value', () => {
    expect(redactValue('Bearer abc.def.ghi')).toBe('Bearer ****');
    expect(redactValue('Basic Zm9vOmJhcg==')).toBe('Basic ****');
    expect(redactValue('opaque-token')).toBe('****');
  });

  it('masks credential headers case-insensitively and leaves others alone', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer x',
        Cookie: 'a=b',
        'X-Api-Key': 'k',
        'X-Auth-Token': 't',
        'Proxy-Authorization': 'Basic y',
        Accept: 'text/plain',
      }),
    ).toEqual({
      authorization: 'Bearer ****',
      Cookie: '****',
      'X-Api-Key': '****',
      'X-Auth-Token': '****',
      'Proxy-Authorization': 'Basic ****',
      Accept: 'text/plain',
    });
    expect(isSecretHeader('X-Github-Token')).toBe(true);
    expect(isSecretHeader('X-Client-Secret')).toBe(true);
    expect(isSecretHeader('X-Request-Id')).toBe(false);
    expect(isSecretHeader('Keep-Alive')).toBe(false);
  });

  it('gives back the same headers when none is a credential, and keeps a __proto__ header as data', () => {
    const plain = { Accept: 'text/plain', 'X-Request-Id': '1' };
    expect(redactHeaders(plain)).toBe(plain);
    const headers: Record<string, string> = { Authorization: 'Bearer x' };
    Object.defineProperty(headers, '__proto__', {
      value: 'data',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const redacted = redactHeaders(headers);
    expect(Object.entries(redacted)).toEqual([
      ['Authorization', 'Bearer ****'],
      ['__proto__', 'data'],
    ]);
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
  });

  it('masks credential query parameters and keeps the rest of the URL byte for byte', () => {
    expect(redactUrl('https://h/cb?code=1&access_token=abc%2F&state=x#frag')).toBe(
      'https://h/cb?code=****&access_token=****&state=x#frag',
    );
    expect(redactUrl('https://s3/b/k?X-Amz-Signature=deadbeef&X-Amz-Date=1')).toBe(
      'https://s3/b/k?X-Amz-Signature=****&X-Amz-Date=1',
    );
    expect(redactUrl('http://h/v1/items?api_key=k&apikey=k2&force')).toBe(
      'http://h/v1/items?api_key=****&apikey=****&force',
    );
    expect(redactUrl('http://h/v1/users?limit=10&sort=name')).toBe('http://h/v1/users?limit=10&sort=name');
    expect(redactUrl('http://h/monkey?sort=name')).toBe('http://h/monkey?sort=name');
    // Answers are remembered: asking again gives the same answer.
    expect(redactUrl('https://h/cb?code=1&access_token=abc%2F&state=x#frag')).toBe(
      'https://h/cb?code=****&access_token=****&state=x#frag',
    );
  });
});

describe('redaction rules (issue 13 §6)', () => {
  it.each([
    // Issue 13's list, then the rules' other names and endings.
    'X-Authorization',
    'X-Auth-Key',
    'X-CSRFToken',
    'Ocp-Apim-Subscription-Key',
    'X-RapidAPI-Key',
    'X-Functions-Key',
    'DD-Application-Key',
    'X-Sentry-Auth',
    'X-Goog-Iap-Jwt-Assertion',
    'X-Amz-Access-Key',
    'Aws-Secret-Key',
    'X-Cosmos-Master-Key',
    'Authorization',
    'Proxy-Authorization',
    'Set-Cookie',
    'X-Vault-Token',
    'X-Client-Secret',
    'X-Db-Password',
    'X-Db-Passwd',
    'Api-Key',
    'DD-API-KEY',
    // Any case, any naming style.
    'x-authorization',
    'X_AUTH_KEY',
    'xAuthKey',
    'ocp_apim_subscription_key',
    'X-APIKEY',
    'x-sessiontoken',
    'X-Service-AccessKey',
  ])('masks the header %s', (name) => {
    expect(isSecretHeader(name)).toBe(true);
    expect(redactHeaders({ [name]: 'Bearer abc' })).toEqual({ [name]: 'Bearer ****' });
  });

  it.each([
    'Accept',
    'Content-Type',
    'X-Request-Id',
    'Keep-Alive',
    'Idempotency-Key',
    'Sec-WebSocket-Key',
    'X-Monkey',
    'X-Broken',
    'If-None-Match',
    'User-Agent',
  ])('leaves the header %s alone', (name) => {
    expect(isSecretHeader(name)).toBe(false);
  });

  it.each([
    ['accessToken'],
    ['refreshToken'],
    ['idToken'],
    ['clientSecret'],
    ['sessionToken'],
    ['access_token'],
    ['access-token'],
    ['ACCESS_TOKEN'],
    ['AccessToken'],
    ['accesstoken'],
    ['jwt'],
    ['assertion'],
    ['client_assertion'],
    ['clientAssertion'],
    ['SAMLResponse'],
    ['saml_response'],
    ['code'],
    ['code_verifier'],
    ['ticket'],
    ['otp'],
    ['OTP'],
    ['key'],
    ['ssh_key'],
    ['sshKey'],
    ['SSH-KEY'],
    ['api_key'],
    ['apiKey'],
    ['X-Amz-Signature'],
    ['X-Amz-Credential'],
    ['X-Amz-Security-Token'],
    ['sig'],
    ['password'],
    ['db_passwd'],
    ['db_pwd'],
    ['credentials'],
    ['aws_credentials'],
    ['basic_auth'],
  ])('masks the query parameter %s', (name) => {
    expect(isSecretQueryParameter(name)).toBe(true);
    expect(redactUrl(`http://h/p?a=1&${name}=s3cr3t&b=2`)).toBe(`http://h/p?a=1&${name}=****&b=2`);
  });

  it.each(['state', 'limit', 'sort', 'monkey', 'error_code', 'zip_code', 'country_code', 'redirect_uri', 'keys'])(
    'leaves the query parameter %s alone',
    (name) => {
      expect(isSecretQueryParameter(name)).toBe(false);
      expect(redactUrl(`http://h/p?${name}=v`)).toBe(`http://h/p?${name}=v`);
    },
  );

  it.each([
    [
      'implicit OAuth flow',
      'https://h/cb#access_token=abc&token_type=bearer&state=x',
      'https://h/cb#access_token=****&token_type=bearer&state=x',
    ],
    ['OpenID Connect', 'https://h/cb#id_token=eyJ.a.b&state=x', 'https://h/cb#id_token=****&state=x'],
    ['query and fragment', 'https://h/cb?code=1&s=2#access_token=abc', 'https://h/cb?code=****&s=2#access_token=****'],
    ['a "?" inside the fragment', 'https://h/cb#x?access_token=abc', 'https://h/cb#x?access_token=****'],
    ['a plain fragment', 'https://h/doc#section-2', 'https://h/doc#section-2'],
  ])('masks credentials in the fragment: %s', (_, url, masked) => {
    expect(redactUrl(url)).toBe(masked);
  });

  it('masks a header whose key was cut at 64 bytes: its lost end may be what a rule needs', () => {
    const cut = 'X-Acme-Very-Long-Vendor-Specific-Header-Name-For-The-Billing-Acc';
    expect(cut).toHaveLength(64);
    const r = new SecretRedactor();
    const shown = r.request({
      url: 'http://h/',
      headers: { [cut]: 'abc', Accept: 'text/plain' },
      truncated: { fields: [], headers: false, headerKeys: [cut], headerValues: [] },
    });
    expect(shown.headers).toEqual({ [cut]: '****', Accept: 'text/plain' });
    // The same key, not cut, is no credential.
    expect(r.headers({ [cut]: 'abc' })).toEqual({ [cut]: 'abc' });
  });

  it('masks a credential parameter in a query cut at 64 bytes; a name cut before its "=" has no value to mask', () => {
    const r = new SecretRedactor();
    const cutInValue = 'http://h/p?page=2&access_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJz';
    expect(r.url(cutInValue)).toBe('http://h/p?page=2&access_token=****');
    expect(r.url('http://h/p?page=2&access_tok')).toBe('http://h/p?page=2&access_tok');
  });

  it.each([
    [{ headers: ['X-Internal-Auth'] }, 'x_internal_auth', true],
    [{ headers: ['X-Acme-*'] }, 'X-Acme-Route', true],
    [{ headers: ['X-Acme-*'] }, 'X-Other', false],
    [{ headers: ['*-Tenant'] }, 'X-Billing-Tenant', true],
    [{ headers: ['*'] }, 'Accept', true],
  ] as const)('adds header names %j: %s masked %s', (added, name, masked) => {
    const r = new SecretRedactor(added);
    expect(r.isSecretHeader(name)).toBe(masked);
    expect(isSecretHeader(name)).toBe(false);
  });

  it.each([
    [{ params: ['sso_ticket_id'] }, 'ssoTicketId', true],
    [{ params: ['session*'] }, 'SESSION_ID', true],
    [{ params: ['session*'] }, 'user', false],
  ] as const)('adds parameter names %j: %s masked %s', (added, name, masked) => {
    const r = new SecretRedactor(added);
    expect(r.url(`http://h/?${name}=v`)).toBe(masked ? `http://h/?${name}=****` : `http://h/?${name}=v`);
  });

  it.each(['', ' ', 'X Auth', 'X-Auth\n', '-_-', 'X-\u001b[31m'])(
    'rejects the added name %j with INVALID_ARGUMENT',
    (name) => {
      expect(() => new SecretRedactor({ headers: [name] })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
      expect(() => new SecretRedactor({ params: [name] })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
    },
  );
});
