import { GoBinary } from './go-binary.js';
import type { GoArch } from './elf-header.js';
import { GoElfError } from './go-elf-error.js';
import {
  clientDoName,
  findProbedFunction,
  type ProbedFunction,
  transportRoundTripName,
  xNetTransportNames,
} from './http-probe-functions.js';

/** Which of the two request functions the binary contains, so which requests a trace can see. */
export type RequestCoverage = 'client and transport' | 'client only' | 'transport only';

export interface Inspection {
  path: string;
  goVersion: string;
  arch: GoArch;
  /** `-buildmode` from build info, else `pie`/`exe` from the ELF type (Go before 1.18 records no settings). */
  buildMode: string;
  /** From CGO_ENABLED; undefined when the build info does not say (Go before 1.18). */
  cgo: boolean | undefined;
  goexperiment: string;
  stripped: boolean;
  hasDwarf: boolean;
  /** `net/http.(*Client).do`; undefined when the program never uses `http.Client`. */
  clientDo: ProbedFunction | undefined;
  /** `net/http.(*Transport).roundTrip`; undefined when the program never uses `http.Transport`. */
  transportRoundTrip: ProbedFunction | undefined;
  /** golang.org/x/net/http2's transport (the first of xNetTransportNames present), probed with `transport` too. */
  xNetTransport: ProbedFunction | undefined;
  coverage: RequestCoverage;
  /** One sentence saying what the coverage means for the user. */
  coverageNote: string;
}

/**
 * What a trace of the binary probes. The transport probe is attached with the `transport` option
 * (docs/transport-probes.md); a binary without Client.do is traced only with it.
 */
const coverageNotes: Record<RequestCoverage, string> = {
  'client and transport': `${clientDoName} and ${transportRoundTripName} are both present; tracing probes ${clientDoName}, and with --transport ${transportRoundTripName} too (each redirect hop, as sent)`,
  'client only': `${transportRoundTripName} is absent; tracing probes ${clientDoName}, one event per Client.Do call`,
  'transport only': `${clientDoName} is absent: the program sends requests only through http.Transport (a reverse proxy, a bare RoundTrip caller); tracing probes ${transportRoundTripName} with --transport and refuses it without`,
};

/** Everything `httpwatcher inspect` prints, for a path or a PID. */
export async function inspectGoBinary(pathOrPid: string | number): Promise<Inspection> {
  await using binary =
    typeof pathOrPid === 'number' ? await GoBinary.openPid(pathOrPid) : await GoBinary.open(pathOrPid);
  const info = await binary.buildInfo();
  const clientDo = await findProbedFunction(binary, clientDoName);
  const transportRoundTrip = await findProbedFunction(binary, transportRoundTripName);
  if (!clientDo && !transportRoundTrip) {
    throw new GoElfError(
      'SYMBOL_NOT_FOUND',
      binary.path,
      `expected ${clientDoName} or ${transportRoundTripName}, found neither; the program does not send HTTP requests through net/http`,
    );
  }
  const coverage: RequestCoverage = !transportRoundTrip
    ? 'client only'
    : !clientDo
      ? 'transport only'
      : 'client and transport';
  let xNetTransport: ProbedFunction | undefined;
  for (const name of xNetTransportNames) {
    xNetTransport = await findProbedFunction(binary, name);
    if (xNetTransport) break;
  }
  const cgo = info.setting('CGO_ENABLED');
  return {
    path: binary.path,
    goVersion: info.goVersion,
    arch: binary.arch,
    buildMode: info.setting('-buildmode') ?? (binary.isPie ? 'pie' : 'exe'),
    cgo: cgo === undefined ? undefined : cgo === '1',
    goexperiment: info.setting('GOEXPERIMENT') ?? '',
    stripped: binary.isStripped,
    hasDwarf: binary.hasDwarf,
    clientDo,
    transportRoundTrip,
    xNetTransport,
    coverage,
    coverageNote: coverageNotes[coverage],
  };
}
