import {
  MAX_HEADERS,
  MAX_KEY,
  MAX_STR,
  MAX_VALUE,
  MAX_VALUES,
  stringFields,
  type StringField,
} from '../abi/bpf-abi.js';
import { goUrlString, type UrlParts } from '../go-url.js';
import type { CaptureTruth } from './traced-run.js';

/** One header as a capture cut to httpwatcher's limits must show it. */
export interface ExpectedHeader {
  value: string;
  keyTruncated: boolean;
  valueTruncated: boolean;
}

export interface ExpectedCapture {
  method: string;
  url: string;
  host: string | undefined;
  userinfo: boolean;
  headerCount: number;
  truncatedFields: StringField[];
  headersTruncated: boolean;
  /** Every header of the request, by key as captured (cut to MAX_KEY). */
  headers: Map<string, ExpectedHeader>;
  /** How many of them an event holds. */
  capturedHeaders: number;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const cut = (s: string, max: number): Buffer => bytes(s).subarray(0, max);

/**
 * What an event must contain for a request the fixture describes, computed from its raw
 * fields and httpwatcher's limits (bpf/httpwatcher.h): strings cut to MAX_STR bytes, keys to
 * MAX_KEY, a header's first MAX_VALUES values joined with ", " and cut to MAX_VALUE.
 */
export function expectedCapture(truth: CaptureTruth): ExpectedCapture {
  const p = truth.parts;
  const raw: Record<StringField, string> = { ...p };
  const truncatedFields = stringFields.filter((f) => bytes(raw[f]).length > MAX_STR);
  const f = Object.fromEntries(stringFields.map((name) => [name, cut(raw[name], MAX_STR)])) as Record<
    StringField,
    Buffer
  >;
  const urlCut = truncatedFields.some((name) => name !== 'method' && name !== 'requestHost');
  // Uncut, the URL is Go's own URL.String(); cut, it is what that function makes of the cut parts.
  const url = urlCut ? goUrlString(urlPartsOf(truth, MAX_STR)) : truth.url;

  const headers = new Map<string, ExpectedHeader>();
  for (const [key, values] of Object.entries(truth.values)) {
    const joined = values.slice(0, MAX_VALUES).join(', ');
    headers.set(cut(key, MAX_KEY).toString('utf8'), {
      value: cut(joined, MAX_VALUE).toString('utf8'),
      keyTruncated: bytes(key).length > MAX_KEY,
      valueTruncated: bytes(joined).length > MAX_VALUE || values.length > MAX_VALUES,
    });
  }
  return {
    method: f.method.toString('utf8'),
    url,
    host: f.requestHost.length > 0 && !f.requestHost.equals(f.host) ? f.requestHost.toString('utf8') : undefined,
    userinfo: truth.userinfo,
    headerCount: truth.nheaders,
    truncatedFields,
    headersTruncated: truth.nheaders > MAX_HEADERS,
    headers,
    capturedHeaders: Math.min(truth.nheaders, MAX_HEADERS),
  };
}

/** The request's URL fields as goUrlString takes them, each cut to `max` bytes. */
export function urlPartsOf(truth: CaptureTruth, max = Infinity): UrlParts {
  const p = truth.parts;
  return {
    scheme: cut(p.scheme, max),
    opaque: cut(p.opaque, max),
    host: cut(p.host, max),
    path: cut(p.path, max),
    rawPath: cut(p.rawPath, max),
    rawQuery: cut(p.rawQuery, max),
    fragment: cut(p.fragment, max),
    rawFragment: cut(p.rawFragment, max),
    forceQuery: p.forceQuery,
    hasUserinfo: truth.userinfo,
  };
}
