/** What the output shows of a request's URL and headers: as captured, or with credentials masked. */
export interface ShownRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** With --transport: the URL the Client.Do call was given, masked as `url` is. */
  readonly originalUrl?: string | undefined;
}
