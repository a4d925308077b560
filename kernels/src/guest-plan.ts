/** A Go fixture as it lies in the guest. */
export interface GuestFixture {
  go: string;
  variant: string;
  /** Absolute path inside the guest. */
  path: string;
}

export type TransportCheckName = 'capture' | 'proxy' | 'only' | 'xnet';

/** The builds of one Go version the transport checks trace under the `transport` option. */
export interface TransportFixtures {
  go: string;
  /** test-fixtures/client: the capture scenario (HTTP/2, TLS, a 4-request redirect chain) and bulk. */
  client: GuestFixture;
  /** test-fixtures/transport-client: reverse proxy, middleware, bare RoundTrip, redirects, many goroutines. */
  transportClient: GuestFixture;
  /** test-fixtures/transport-only: bare Transport.RoundTrip in a program without http.Client. */
  transportOnly: GuestFixture;
  /** test-fixtures/xnet-client: HTTP/2 through golang.org/x/net/http2's Transport, directly and configured. */
  xnetClient: GuestFixture;
}

/** What the host tells every guest to run (written to /hw/plan.json; the same for every kernel). */
export interface GuestPlan {
  /** test-fixtures/client builds traced by the capture checks. */
  captures: GuestFixture[];
  /** The client build the CLI, exit-cleanup and kernel-drops checks use. */
  client: GuestFixture;
  /** Builds whose literal header strings must come as image offsets (arm64 only; the host proves amd64). */
  imageStrings: GuestFixture[];
  /** The transport checks, per Go version. */
  transport: TransportFixtures[];
  /** Which transport checks run: all four, or with --ci only `proxy` and `xnet`, to keep pnpm test's run short. */
  transportChecks: TransportCheckName[];
  /** A test-fixtures/response-client build for the --response check. */
  responseClient: GuestFixture;
  /** Requests of the bulk scenario per capture check. */
  bulkRequests: number;
  /** How many times each capture check runs (HW_KERNEL_CAPTURE_ROUNDS; 1 unless soaking a rare loss). */
  captureRounds: number;
  /** The build the capture checks load (HW_KERNEL_BPF_BUILD; `auto` unless comparing builds on one kernel). */
  bpfBuild: 'auto' | 'default' | 'compat';
  /** The CLI's entry point inside the guest (from the installed tarball). */
  cliBin: string;
  /** The BPF objects the verifier report loads. */
  bpfObjects: string[];
  verifierReport: string;
  /** Longest a single check may take before it is reported as timed out. */
  checkTimeoutMs: number;
}

export const GUEST_ROOT = '/hw';
export const PLAN_PATH = `${GUEST_ROOT}/plan.json`;
/** The guest's second serial port: results only, never mixed with the console. */
export const RESULTS_DEVICE = '/dev/ttyS1';
