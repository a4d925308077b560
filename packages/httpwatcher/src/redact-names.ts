import { SnooperError } from './snooper-error.js';

/**
 * A name's letters and digits, lower-cased: `X-Api-Key`, `x_api_key`, `xApiKey` and `XAPIKEY` are all
 * `xapikey`. Names are compared in this form, so a rule holds whatever the case and naming style.
 */
export function compactName(name: string): string {
  return name.replace(/[^0-9A-Za-z]+/g, '').toLowerCase();
}

/** The last word of a name, split at separators and camelCase: `sshKey`, `ssh_key`, `SSH-KEY` → `key`. */
function lastWord(name: string): string {
  const words = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g);
  return words ? words[words.length - 1]!.toLowerCase() : '';
}

export interface NameRules {
  /** Names, matched whole (in compact form). */
  readonly names: readonly string[];
  /** Endings, matched against the end of the compact form: `token` holds for `X-Vault-Token` and `accessToken`. */
  readonly endings: readonly string[];
  /** Endings that must be a word of their own: `key` holds for `ssh_key` and `sshKey`, not for `monkey`. */
  readonly lastWords?: readonly string[];
}

/** Letters, digits, punctuation and `*`: what a header or parameter name given by a user may hold. */
const namePattern = /^[\x21-\x7e]*[0-9A-Za-z*][\x21-\x7e]*$/;

/** Which names are credentials: built-in rules plus names a user added (`*` matches any run of characters). */
export class NameMatcher {
  private readonly names: Set<string>;
  private readonly endings: readonly string[];
  private readonly lastWords: ReadonlySet<string>;
  private readonly patterns: readonly RegExp[];

  constructor(rules: NameRules, added: readonly string[] = [], what = 'name') {
    this.names = new Set(rules.names.map(compactName));
    this.endings = rules.endings;
    this.lastWords = new Set(rules.lastWords ?? []);
    const patterns: RegExp[] = [];
    for (const name of added) {
      if (typeof name !== 'string' || !namePattern.test(name))
        throw new SnooperError(
          'INVALID_ARGUMENT',
          `a ${what} to redact must be printable ASCII without spaces, with a letter, digit or "*", got ${JSON.stringify(name)}`,
        );
      if (name.includes('*')) patterns.push(new RegExp(`^${name.split('*').map(compactName).join('.*')}$`));
      else this.names.add(compactName(name));
    }
    this.patterns = patterns;
  }

  matches(name: string): boolean {
    const compact = compactName(name);
    return (
      this.names.has(compact) ||
      this.endings.some((e) => compact.endsWith(e)) ||
      (this.lastWords.size > 0 && this.lastWords.has(lastWord(name))) ||
      this.patterns.some((p) => p.test(compact))
    );
  }
}

/** Header names whose values are credentials. */
export const secretHeaderRules: NameRules = {
  names: [
    'Authorization',
    'Proxy-Authorization',
    'Cookie',
    'Set-Cookie',
    'X-Authorization',
    'X-Api-Key',
    'Api-Key',
    'X-Auth-Key',
    'X-Auth-Token',
    'X-Access-Token',
    'X-CSRF-Token',
    'X-CSRFToken',
    'X-XSRF-Token',
    'X-Amz-Security-Token',
    'X-Goog-Api-Key',
    'X-Goog-Iap-Jwt-Assertion',
    'Private-Token',
    'Ocp-Apim-Subscription-Key',
    'X-RapidAPI-Key',
    'X-Functions-Key',
    'DD-API-Key',
    'DD-Application-Key',
    'X-Sentry-Auth',
  ],
  endings: ['token', 'secret', 'password', 'passwd', 'apikey', 'accesskey', 'secretkey', 'masterkey'],
};

/** Query (and fragment) parameters whose values are credentials. */
export const secretParameterRules: NameRules = {
  names: [
    'access_token',
    'refresh_token',
    'id_token',
    'session_token',
    'client_secret',
    'client_assertion',
    'assertion',
    'jwt',
    'SAMLResponse',
    'code',
    'code_verifier',
    'ticket',
    'otp',
    'key',
    'api_key',
  ],
  endings: [
    'token',
    'secret',
    'password',
    'passwd',
    'pwd',
    'apikey',
    'signature',
    'sig',
    'credential',
    'credentials',
    'auth',
    'assertion',
  ],
  lastWords: ['key'],
};
