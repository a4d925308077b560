/** One call of net/http.(*Client).do in a traced process, as it entered the function. */
export interface HttpRequestEvent {
  readonly kind: 'request';
  /** Host PID of the traced process. */
  readonly pid: number;
  /** PID as seen inside the process's own PID namespace (equals `pid` outside containers). */
  readonly nsPid: number;
  /** Host thread id that made the call. */
  readonly tid: number;
  /** Goroutine id, when the Go version's layout gives it (register ABI). */
  readonly goid: number | undefined;
  readonly method: string;
  /** The URL as Go's URL.String() writes it, without userinfo (never read). */
  readonly url: string;
  /** http.Request.Host when it overrides the URL's host. */
  readonly host: string | undefined;
  /** Up to 16 headers; multiple values joined with ", ". */
  readonly headers: Record<string, string>;
  /** Entries in the request's Header map (may exceed the 16 captured). */
  readonly headerCount: number;
  /** The URL carried userinfo (user[:password]@), which was not read. */
  readonly userinfo: boolean;
  readonly truncated: {
    /** URL components / method / host cut at 64 bytes. */
    readonly fields: readonly string[];
    /** More headers were in the map than captured. */
    readonly headers: boolean;
    /** Header keys cut at 64 bytes. */
    readonly headerKeys: readonly string[];
    /** Header values cut at 512 bytes (joined), named by key. */
    readonly headerValues: readonly string[];
  };
  /** A read of the process's memory failed or a walk bound was hit: some fields may be missing. */
  readonly incomplete: boolean;
  /** CLOCK_MONOTONIC nanoseconds at the call. */
  readonly monotonicNs: bigint;
  /** Wall-clock time of the call. */
  readonly time: Date;
  /**
   * With `transport: true`: `client` when the request belongs to a Client.Do call (each hop of its
   * redirects is one event), `transport` when it was sent through the transport without
   * http.Client (a reverse proxy, a bare RoundTrip caller).
   */
  readonly via?: 'client' | 'transport';
  /** With `transport: true`: the redirect hop within its Client.Do call, from 0 (always 0 via transport). */
  readonly hop?: number;
  /** With `transport: true` and via `client` when the transport saw the request: the URL the Client.Do call was given. */
  readonly originalUrl?: string;
  /** With `response: true`, once the call returned: Response.StatusCode, absent when no response came back. */
  readonly status?: number;
  /** With `response: true`, once the call returned: do() returned a non-nil error. */
  readonly error?: boolean;
  /**
   * With `response: true`, once the call returned: nanoseconds from the call to its return (redirects
   * included); with `transport: true` too, of the event's own request on the wire (one hop).
   */
  readonly durationNs?: number;
}
