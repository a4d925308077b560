import {
  GoBinary,
  GoElfError,
  clientDoName,
  findProbedFunction,
  transportRoundTripName,
  xNetTransportNames,
  type BuildInfo,
  type GoElfLimits,
  type GoFunction,
  type ProbeLocation,
  type ReadOnlyData,
} from '@httpwatcher/go-elf';
import type { DwarfLimits } from '../dwarf/dwarf-budget.js';
import type { GoArch } from '../layout.js';
import { resolveLayout, type ResolvedLayout } from '../resolve-layout.js';
import type { LayoutTable } from '../table/layout-table-entry.js';
import { readDwarfSections } from './read-dwarf-sections.js';

/** What to analyse and how: plain data, so it crosses into a worker thread as it is. */
export interface BinaryAnalysisRequest {
  /**
   * An open descriptor of the binary. It is read, never closed: the caller keeps it to attach through
   * it, so the file analysed is the file probed. Without it, `path` is opened.
   */
  fd?: number;
  /** The binary's path: opened when there is no `fd`, named in every message. */
  path: string;
  /** Refuse a binary built for another architecture (UNSUPPORTED_MACHINE) before reading further. */
  expectArch?: GoArch;
  /** Use this Go version's layout instead of the one in the build info. */
  assumeGoVersion?: string;
  /**
   * The transport probe will be attached: a binary without net/http.(*Client).do (a program that
   * only uses http.Transport) is then probed at net/http.(*Transport).roundTrip instead of refused.
   */
  transport?: boolean;
  /** The offsets table to consult before DWARF; defaults to this package's own. */
  layoutTable?: LayoutTable;
  elfLimits?: Partial<GoElfLimits>;
  dwarfLimits?: Partial<DwarfLimits>;
}

/** Everything tracing one binary needs to know about it, as plain data. */
export interface BinaryAnalysis {
  path: string;
  arch: GoArch;
  isPie: boolean;
  stripped: boolean;
  hasDwarf: boolean;
  buildInfo: Omit<BuildInfo, 'setting'>;
  layout: ResolvedLayout;
  /** net/http.(*Client).do, or with `entry` 'transport' net/http.(*Transport).roundTrip. */
  function: GoFunction;
  /** Which function `function` and `probe` are: 'transport' only for a binary without Client.do, when asked (`transport`). */
  entry: 'client' | 'transport';
  /** After the stack-bound check, or the entry when the prologue was not recognised (`prologueUnrecognised` says why). */
  probe: ProbeLocation & { afterStackCheck: boolean };
  prologueUnrecognised?: string;
  /** Every return instruction of the function, or why they cannot be probed. */
  returns: { sites: ProbeLocation[] } | { unavailable: string };
  /** amd64 stack ABI (Go ≤ 1.16): g is at fs_base + this; undefined when the prologue does not say. */
  goroutineTlsOffset: number | undefined;
  /**
   * net/http.(*Transport).roundTrip and its probe site after the stack-bound check, or why it cannot
   * be probed (absent, or its prologue not recognised: its entry is never probed).
   */
  transport: TransportAnalysis | { unavailable: string };
  /**
   * golang.org/x/net/http2's transport (`name`: the first of xNetTransportNames the binary has), or why
   * it cannot be probed (absent: the program does not use it; its prologue not recognised). Only
   * looked for when the transport probe is asked for.
   */
  xNetTransport: (TransportAnalysis & { name: string }) | { unavailable: string };
  readOnlyData?: ReadOnlyData;
  executableStart?: number;
}

/** The transport's entry function, its probe site (after the stack-bound check) and its returns. */
export interface TransportAnalysis {
  function: { address: number; fileOffset: number; size: number };
  probe: ProbeLocation;
  /** Every return instruction of roundTrip (responses per request on the wire), or why they cannot be probed. */
  returns: { sites: ProbeLocation[] } | { unavailable: string };
  /** amd64 stack ABI (Go ≤ 1.16): g is at fs_base + this, from roundTrip's prologue; undefined otherwise. */
  goroutineTlsOffset: number | undefined;
}

/** Opens the binary the request names and analyses it (in whatever thread calls this). */
export async function analyzeRequest(request: BinaryAnalysisRequest): Promise<BinaryAnalysis> {
  const options = request.elfLimits ? { limits: request.elfLimits } : {};
  await using binary =
    request.fd === undefined
      ? await GoBinary.open(request.path, options)
      : await GoBinary.fromDescriptor(request.fd, request.path, options);
  return await analyzeBinary(binary, request);
}

/**
 * Build info, layout (the table, else the binary's DWARF), the probe location and the return sites,
 * in the order the facade needs them, so the first failure is the one it would report.
 */
export async function analyzeBinary(binary: GoBinary, request: BinaryAnalysisRequest): Promise<BinaryAnalysis> {
  if (request.expectArch && binary.arch !== request.expectArch) {
    throw new GoElfError(
      'UNSUPPORTED_MACHINE',
      binary.path,
      `expected an ${request.expectArch} binary for this machine, found ${binary.arch}; trace it on an ${binary.arch} machine`,
    );
  }
  const info = await binary.buildInfo();
  const layout = await resolveBinaryLayout(binary, info, request);
  const transport = await transportOf(binary);
  const xNetTransport = request.transport
    ? await xNetTransportOf(binary)
    : { unavailable: 'the transport probe was not asked for' };
  const client = await clientDoOf(binary, request, transport);
  if (!client) return transportOnly(binary, info, layout, transport as TransportAnalysis, xNetTransport);
  const fn = client;
  const { probe, prologueUnrecognised } = await probeOf(binary, fn);
  return {
    path: binary.path,
    arch: binary.arch,
    isPie: binary.isPie,
    stripped: binary.isStripped,
    hasDwarf: binary.hasDwarf,
    buildInfo: {
      goVersion: info.goVersion,
      path: info.path,
      deps: info.deps,
      settings: info.settings,
      ...(info.main && { main: info.main }),
    },
    layout,
    function: fn,
    entry: 'client',
    probe,
    ...(prologueUnrecognised !== undefined && { prologueUnrecognised }),
    returns: await returnsOf(binary, fn),
    goroutineTlsOffset: await tlsOffsetOf(binary, fn),
    transport,
    xNetTransport,
    ...(binary.readOnlyData && { readOnlyData: binary.readOnlyData }),
    ...(binary.executableStart !== undefined && { executableStart: binary.executableStart }),
  };
}

async function resolveBinaryLayout(
  binary: GoBinary,
  info: BuildInfo,
  request: BinaryAnalysisRequest,
): Promise<ResolvedLayout> {
  const goexperiment = info.setting('GOEXPERIMENT');
  const input = {
    goVersion: request.assumeGoVersion ?? info.goVersion,
    arch: binary.arch,
    ...(goexperiment !== undefined && { goexperiment }),
  };
  try {
    return resolveLayout(input, request.layoutTable);
  } catch (error) {
    const dwarf = binary.hasDwarf ? await readDwarfSections(binary) : undefined;
    if (!dwarf) throw error;
    return resolveLayout(
      { ...input, dwarf, ...(request.dwarfLimits && { dwarfLimits: request.dwarfLimits }) },
      request.layoutTable,
    );
  }
}

async function probeOf(
  binary: GoBinary,
  fn: GoFunction,
): Promise<{ probe: BinaryAnalysis['probe']; prologueUnrecognised?: string }> {
  try {
    return { probe: { ...(await binary.stackCheckEnd(fn)), afterStackCheck: true } };
  } catch (error) {
    if (!GoElfError.isInstance(error) || error.code !== 'PROLOGUE_NOT_RECOGNISED') throw error;
    return {
      probe: { address: fn.entry, fileOffset: fn.fileOffset, afterStackCheck: false },
      prologueUnrecognised: error.message,
    };
  }
}

async function returnsOf(binary: GoBinary, fn: GoFunction): Promise<BinaryAnalysis['returns']> {
  try {
    return { sites: await binary.returnSites(fn) };
  } catch (error) {
    if (
      GoElfError.isInstance(error) &&
      (error.code === 'RETURNS_NOT_FOUND' || error.code === 'PROLOGUE_NOT_RECOGNISED')
    )
      return { unavailable: error.message };
    throw error;
  }
}

async function tlsOffsetOf(binary: GoBinary, fn: GoFunction): Promise<number | undefined> {
  try {
    return await binary.goroutineTlsOffset(fn);
  } catch (error) {
    if (GoElfError.isInstance(error) && error.code === 'PROLOGUE_NOT_RECOGNISED') return undefined;
    throw error;
  }
}

/**
 * net/http.(*Client).do; undefined when it is absent, the transport probe was asked for and
 * roundTrip can be probed (a program that only uses http.Transport). Otherwise its absence throws
 * SYMBOL_NOT_FOUND as always.
 */
async function clientDoOf(
  binary: GoBinary,
  request: BinaryAnalysisRequest,
  transport: BinaryAnalysis['transport'],
): Promise<GoFunction | undefined> {
  try {
    return await binary.findFunction(clientDoName);
  } catch (error) {
    if (
      GoElfError.isInstance(error) &&
      error.code === 'SYMBOL_NOT_FOUND' &&
      request.transport &&
      !('unavailable' in transport)
    )
      return undefined;
    throw error;
  }
}

/** The analysis of a binary probed at roundTrip alone: no Client.do, so no return sites (no responses). */
async function transportOnly(
  binary: GoBinary,
  info: BuildInfo,
  layout: ResolvedLayout,
  transport: TransportAnalysis,
  xNetTransport: BinaryAnalysis['xNetTransport'],
): Promise<BinaryAnalysis> {
  const fn = await binary.findFunction(transportRoundTripName);
  return {
    path: binary.path,
    arch: binary.arch,
    isPie: binary.isPie,
    stripped: binary.isStripped,
    hasDwarf: binary.hasDwarf,
    buildInfo: {
      goVersion: info.goVersion,
      path: info.path,
      deps: info.deps,
      settings: info.settings,
      ...(info.main && { main: info.main }),
    },
    layout,
    function: fn,
    entry: 'transport',
    probe: { ...transport.probe, afterStackCheck: true },
    // Without Client.do the transport's returns are the only ones (option `response` with `transport`).
    returns: transport.returns,
    goroutineTlsOffset: transport.goroutineTlsOffset,
    transport,
    xNetTransport,
    ...(binary.readOnlyData && { readOnlyData: binary.readOnlyData }),
    ...(binary.executableStart !== undefined && { executableStart: binary.executableStart }),
  };
}

async function transportOf(binary: GoBinary): Promise<BinaryAnalysis['transport']> {
  const found = await probedTransportOf(binary, transportRoundTripName);
  return found ?? { unavailable: `${transportRoundTripName} is absent: the program never uses http.Transport` };
}

async function xNetTransportOf(binary: GoBinary): Promise<BinaryAnalysis['xNetTransport']> {
  for (const name of xNetTransportNames) {
    const found = await probedTransportOf(binary, name);
    if (found) return 'unavailable' in found ? found : { ...found, name };
  }
  return { unavailable: 'golang.org/x/net/http2.Transport is absent: the program does not use it' };
}

/** A transport function, its probe site after the stack check and its returns; undefined when absent. */
async function probedTransportOf(
  binary: GoBinary,
  name: string,
): Promise<TransportAnalysis | { unavailable: string } | undefined> {
  const fn = await findProbedFunction(binary, name);
  if (!fn) return undefined;
  if (fn.probeAddress === undefined || fn.probeFileOffset === undefined)
    return {
      unavailable: `the prologue of ${name} was not recognised; its entry is not probed (a stack growth would report a request twice)`,
    };
  const function_ = await binary.findFunction(name);
  return {
    function: { address: fn.address, fileOffset: fn.fileOffset, size: fn.size },
    probe: { address: fn.probeAddress, fileOffset: fn.probeFileOffset },
    returns: await returnsOf(binary, function_),
    goroutineTlsOffset: await tlsOffsetOf(binary, function_),
  };
}
