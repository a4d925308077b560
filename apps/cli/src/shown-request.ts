/** What the output shows of a request's URL and headers: as captured, or with credentials masked. */
export interface ShownRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}
