import type { HttpRequestEvent } from './http-event.js';

/**
 * What a request record says of the request itself, without its call: the same for every call
 * that sent the same request (method, URL, Host, headers). Views of such calls share one shape
 * object, so a consumer can keep what it derives from a shape (its formatted text, a filter's
 * verdict) keyed by the object. Read-only: it is shared.
 */
export type HttpRequestShape = Pick<
  HttpRequestEvent,
  'method' | 'url' | 'host' | 'headers' | 'headerCount' | 'userinfo' | 'truncated' | 'incomplete'
>;

/**
 * One request taken with `Snooper.requestViews()`: its call's own fields, read from its ring record,
 * and its shape. No event object is built unless asked for (`toEvent()`). A view is valid until the
 * next view of its batch is taken, or the batch loop yields: copy what must outlive it.
 */
export interface HttpRequestView {
  readonly pid: number;
  readonly nsPid: number;
  readonly tid: number;
  readonly goid: number | undefined;
  /** Wall-clock time of the call, in milliseconds since the epoch (`event.time.getTime()`). */
  readonly timeMs: number;
  readonly shape: HttpRequestShape;
  /** The event `events()` would have delivered for this request (a new object, headers not shared). */
  toEvent(): HttpRequestEvent;
}
