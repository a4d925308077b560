import { clientDoName, transportRoundTripName, type ReadOnlyData } from '@httpwatcher/go-elf';
import type { BinaryAnalysis, GoLayout, LayoutTable } from '@httpwatcher/go-offsets';
import { responseProbesOf, type ResponseProbes, type ResponseUnavailable } from './response-probes.js';

/** What a binary's ELF says about tracing it: shared by every process running that file. */
export interface ProbeConfig {
  goVersion: string;
  /** The Go main module's path from the build info (`example.com/svc`), or the main package's when no module is recorded. */
  mainModule: string;
  arch: 'amd64' | 'arm64';
  layout: GoLayout;
  /** Which offsets entry applies, e.g. "go1.24 amd64 swiss". */
  layoutEntry: string;
  layoutSource: 'table' | 'dwarf';
  probe: { address: number; fileOffset: number; afterStackCheck: boolean };
  /** Which program `probe` takes: `client_do`, or `transport_round_trip` for a binary without Client.do (option `transport`). */
  entry: 'client' | 'transport';
  /** The function probed (net/http.(*Client).do, or roundTrip for entry 'transport'): `probe` must be one of its instruction starts. */
  probeFunction: { address: number; fileOffset: number; sizeBytes: number };
  warnings: string[];
  /**
   * The entry of net/http.(*Transport).roundTrip after its stack-bound check, with the function it must
   * be an instruction start of (Snooper option `transport`), or why it cannot be probed.
   */
  transport?: TransportProbe | { unavailable: string };
  /**
   * golang.org/x/net/http2's transport used directly (option `transport`): its entry after the
   * stack-bound check and, for responses, its returns; or why it cannot be probed.
   */
  xNetTransport?: (TransportProbe & { name: string }) | { unavailable: string };
  /** Return sites for response tracing (Snooper option `response`), or why there are none. */
  response?: ResponseProbes | ResponseUnavailable;
  /** Where string literals live: header keys and values there are sent as offsets and read from the file. */
  readOnlyData?: ReadOnlyData;
  /** Position independent: each process has its own load bias, so addresses differ per process. */
  pie?: boolean;
  /** The lowest link-time address of executable code: with the kernel's mm->start_code, a PIE's load bias. */
  executableStart?: number;
}

/** Where the transport probe goes: an instruction start of `function`, proven again before attaching. */
export interface TransportProbe {
  probe: { address: number; fileOffset: number };
  function: { address: number; fileOffset: number; sizeBytes: number };
  /** roundTrip's return sites, for its responses (options `transport` with `response`), or why there are none. */
  response: ResponseProbes | ResponseUnavailable;
}

export interface ResolveOptions {
  /** Use this Go version's layout instead of the one in the binary's build info (explicit override). */
  assumeGoVersion?: string;
  /** The offsets table to consult before DWARF; defaults to @httpwatcher/go-offsets' own. */
  layoutTable?: LayoutTable;
  /** The transport probe will be attached: a binary without Client.do is probed at roundTrip instead of refused. */
  transport?: boolean;
}

function transportProbeOf(
  found: BinaryAnalysis['xNetTransport'],
  analysis: BinaryAnalysis,
  layout: GoLayout,
): ProbeConfig['xNetTransport'] {
  if ('unavailable' in found) return { unavailable: found.unavailable };
  return {
    name: found.name,
    probe: { ...found.probe },
    function: {
      address: found.function.address,
      fileOffset: found.function.fileOffset,
      sizeBytes: found.function.size,
    },
    response: responseProbesOf(found, analysis.arch, layout, found.name),
  };
}

/** What the facade traces a binary with, from the analysis the worker thread returned (plain data). */
export function probeConfigOf(analysis: BinaryAnalysis, options: ResolveOptions = {}): ProbeConfig {
  const warnings: string[] = [];
  const goVersion = analysis.buildInfo.goVersion;
  if (options.assumeGoVersion)
    warnings.push(`using the layout of ${options.assumeGoVersion} as asked, although the binary says ${goVersion}`);
  if (!analysis.probe.afterStackCheck)
    warnings.push(
      `the prologue of ${clientDoName} was not recognised; probing its entry, where a stack growth can report a request twice`,
    );
  const fn = analysis.function;
  const { layout, entry, source } = analysis.layout;
  return {
    goVersion,
    mainModule: analysis.buildInfo.main?.path || analysis.buildInfo.path,
    arch: analysis.arch,
    layout,
    layoutEntry: entry,
    layoutSource: source,
    probe: {
      address: analysis.probe.address,
      fileOffset: analysis.probe.fileOffset,
      afterStackCheck: analysis.probe.afterStackCheck,
    },
    entry: analysis.entry,
    probeFunction: { address: fn.entry, fileOffset: fn.fileOffset, sizeBytes: fn.size },
    warnings,
    response: responseProbesOf(
      analysis,
      analysis.arch,
      layout,
      analysis.entry === 'transport' ? transportRoundTripName : clientDoName,
    ),
    transport:
      'unavailable' in analysis.transport
        ? { unavailable: analysis.transport.unavailable }
        : {
            probe: { ...analysis.transport.probe },
            function: {
              address: analysis.transport.function.address,
              fileOffset: analysis.transport.function.fileOffset,
              sizeBytes: analysis.transport.function.size,
            },
            response: responseProbesOf(analysis.transport, analysis.arch, layout, transportRoundTripName),
          },
    xNetTransport: transportProbeOf(analysis.xNetTransport, analysis, layout),
    ...(analysis.readOnlyData && { readOnlyData: analysis.readOnlyData }),
    pie: analysis.isPie,
    ...(analysis.executableStart !== undefined && { executableStart: analysis.executableStart }),
  };
}
