import type { BpfBuild, NativeTracer } from '@httpwatcher/bpf-native';
import type { ProbeLocation, ReadOnlyData } from '@httpwatcher/go-elf';
import { encodeU32 } from './abi/encode-lifecycle.js';
import {
  encodeProbeConfig,
  type ImageRange,
  type NestedRange,
  type ResponseTracing,
} from './abi/encode-probe-config.js';
import { contentKey, type BinaryIdentity } from './binary-identity.js';
import type { OpenBinary } from './binary-file.js';
import { assertProbeSites } from './probe-guard.js';
import { probeSiteKeys, probeSitePresent } from './probe-sites.js';
import type { ProbeConfig } from './resolve-process-binary.js';
import { SnooperError } from './snooper-error.js';

/** The return sites of a binary for response mode; throws RESPONSE_UNSUPPORTED when it has none usable. */
export function responseTracingOf(
  probeConfig: ProbeConfig,
  exe: string,
): ResponseTracing & { returns: readonly ProbeLocation[] } {
  const probes = probeConfig.response;
  if (!probes || 'unavailable' in probes) {
    throw new SnooperError(
      'RESPONSE_UNSUPPORTED',
      `${exe}: responses cannot be traced: ${probes?.unavailable ?? 'its return sites were not resolved'}; trace without the response option`,
    );
  }
  return { returns: probes.returns, gTlsOffset: probes.gTlsOffset };
}

/**
 * What the transport probe of a binary needs: its site, Client.do's returns for the call ends and,
 * with responses, roundTrip's returns.
 */
interface TransportTracing extends ResponseTracing {
  readonly site: ProbeLocation;
  readonly returns: readonly ProbeLocation[];
  /** Option `response`: every return of roundTrip (the transport_round_trip_return program). */
  readonly responseReturns: readonly ProbeLocation[];
  /** The function `site` and `responseReturns` must be instruction starts of. */
  readonly function: ProbeConfig['probeFunction'];
  /** golang.org/x/net/http2's transport, when the binary has it (the h2_round_trip program). */
  readonly xNet: XNetTracing | undefined;
}

/** The probe of golang.org/x/net/http2's transport: its site, returns, and roundTrip's code around it. */
interface XNetTracing {
  readonly site: ProbeLocation;
  readonly responseReturns: readonly ProbeLocation[];
  readonly function: ProbeConfig['probeFunction'];
  /** roundTrip's code relative to `site`: a call from inside it is roundTrip's request (bpf/nesting.bpf.h). */
  readonly nesting: NestedRange;
}

/**
 * x/net's transport is probed with the transport probe. Under the stack ABI its results are not where
 * roundTrip's are (its extra arguments come first), so with responses it is left to Client.do there,
 * as before it was probed at all.
 */
function xNetTracingOf(
  probeConfig: ProbeConfig,
  roundTrip: ProbeConfig['probeFunction'],
  withResponses: boolean,
): XNetTracing | undefined {
  const xNet = probeConfig.xNetTransport;
  if (!xNet || 'unavailable' in xNet) return undefined;
  let responseReturns: readonly ProbeLocation[] = [];
  if (withResponses) {
    if (probeConfig.layout.abi.kind !== 'register' || 'unavailable' in xNet.response) return undefined;
    responseReturns = xNet.response.returns;
  }
  const lo = roundTrip.address - xNet.probe.address;
  return {
    site: xNet.probe,
    responseReturns,
    function: xNet.function,
    nesting: { lo, hi: lo + roundTrip.sizeBytes },
  };
}

/**
 * The transport probe of a binary with Client.do (Snooper option `transport`), or undefined when it
 * cannot be attached: the binary is then traced through Client.do alone, as without the option. With
 * responses, roundTrip's returns are needed too, and must find g where Client.do's do.
 */
function transportTracingOf(probeConfig: ProbeConfig, withResponses: boolean): TransportTracing | undefined {
  const transport = probeConfig.transport;
  const probes = probeConfig.response;
  if (probeConfig.entry === 'transport') return undefined; // roundTrip is the entry probe itself
  if (!transport || 'unavailable' in transport || !probes || 'unavailable' in probes) return undefined;
  const own = transport.response;
  if (withResponses && ('unavailable' in own || own.gTlsOffset !== probes.gTlsOffset)) return undefined;
  return {
    site: transport.probe,
    returns: probes.returns,
    responseReturns: withResponses && !('unavailable' in own) ? own.returns : [],
    function: transport.function,
    gTlsOffset: probes.gTlsOffset,
    xNet: xNetTracingOf(probeConfig, transport.function, withResponses),
  };
}

/**
 * The read-only data range for processes the kernel starts tracing at exec. A PIE's load bias is
 * found there (ro_pie), from its link-time code start; without that, its strings go as bytes.
 */
function execImageRange(readOnlyData: ImageRange | undefined, probeConfig: ProbeConfig): ImageRange | undefined {
  if (!readOnlyData || !probeConfig.pie) return readOnlyData;
  if (probeConfig.executableStart === undefined) return undefined;
  return { ...readOnlyData, executableStart: probeConfig.executableStart };
}

/** Opens a binary's file for the strings the kernel sends as offsets into its image, and lets it go. */
export interface BinaryImages {
  /** False when the file cannot be opened: the kernel then sends every string's bytes. */
  add(binaryId: number, path: string, data: ReadOnlyData): boolean;
  release(binaryId: number): void;
}

/** One probed binary: one uprobe link, shared by every traced process running the file. */
export interface ProbedBinary {
  /** The uprobe's BPF cookie (default build) and the key of its layout in the `probe_configs` map. */
  readonly id: number;
  readonly identity: BinaryIdentity;
  readonly probeConfig: ProbeConfig;
  /** The file the probes were attached through, open while they exist: the kernel's name for them leads to it. */
  readonly file: OpenBinary;
  /** The executable's name as first seen (reported in AttachedProcess.exe). */
  readonly exe: string;
  readonly linkId: number;
  /** Response mode: the links on each return instruction, and what the BPF side needs to match them. */
  readonly returnLinkIds: readonly number[];
  /** Compat build: the binary's `probe_sites` keys (empty in the default build). */
  readonly siteKeys: readonly Buffer[];
  readonly response: ResponseTracing | undefined;
  /** Option `transport`: the transport probe is attached (its link is in returnLinkIds). */
  readonly transport: ResponseTracing | undefined;
  /** x/net's transport is probed too: roundTrip's code relative to its site, for every process's layout. */
  readonly xNetNesting: NestedRange | undefined;
  /** The read-only data whose strings can go as offsets: the file is open (undefined: bytes only). */
  readonly readOnlyData: ImageRange | undefined;
  /** Host PIDs traced through this probe. */
  readonly pids: Set<number>;
  /** attachBinary holders: every process that execs the file is traced from its start. */
  wholeWatchers: number;
  /**
   * attachAll() met the binary: its processes are traced from their start too, but this watch does not
   * keep the binary: its state goes once its last process is gone (after `allLingerMs`).
   */
  allWatched: boolean;
  /** spawn() calls waiting for their child's exec: only this process's children are traced. */
  spawnWatchers: number;
}

/** What attaching a binary's probes needs from the Snooper: the tracer and the options that shape the probes. */
export interface ProbeContext {
  readonly tracer: NativeTracer;
  /** Where strings sent as offsets are read; without it the kernel sends every string's bytes. */
  readonly images: BinaryImages | undefined;
  /** Snooper option `response`: also probe every return instruction of the function. */
  readonly traceResponses: boolean;
  /** Snooper option `transport`: also probe net/http.(*Transport).roundTrip and Client.do's returns. */
  readonly traceTransport: boolean;
  /** The BPF build loaded: `compat` checks hits against `probe_sites` instead of the uprobe's cookie. */
  readonly bpfBuild: BpfBuild;
}

type ResponseReturns = ResponseTracing & { returns: readonly ProbeLocation[] };

/**
 * Attaches binary `id`'s probes through a reopened `analysed` file, once its identity is still the
 * analysed one and every probe offset is proven an instruction start in it; writes its layout
 * (and, in the compat build, its sites). Rejects leaving nothing behind.
 */
export async function attachProbes(
  ctx: ProbeContext,
  analysed: OpenBinary,
  probeConfig: ProbeConfig,
  exe: string,
  id: number,
  response: ResponseReturns | undefined,
): Promise<ProbedBinary> {
  const file = await analysed.reopen();
  try {
    if (
      contentKey(file.identity) !== contentKey(analysed.identity) ||
      file.identity.sizeBytes !== analysed.identity.sizeBytes
    )
      throw new SnooperError(
        'PROBE_NOT_AT_INSTRUCTION',
        `${exe}: the file changed while it was being attached; attach again`,
      );
    const transport = ctx.traceTransport ? transportTracingOf(probeConfig, response !== undefined) : undefined;
    const returns = response?.returns ?? transport?.returns ?? [];
    const sites = [probeConfig.probe.fileOffset, ...returns.map((site) => site.fileOffset)];
    await assertProbeSites(file, probeConfig, sites, exe);
    if (transport) {
      const own = [transport.site, ...transport.responseReturns].map((site) => site.fileOffset);
      await assertProbeSites(file, probeConfig, own, exe, transport.function);
      const xNet = transport.xNet;
      if (xNet) {
        const xNetSites = [xNet.site, ...xNet.responseReturns].map((site) => site.fileOffset);
        await assertProbeSites(file, probeConfig, xNetSites, exe, xNet.function);
      }
    }
    return await attachThrough(ctx, file, probeConfig, exe, id, response, transport);
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
}

async function attachThrough(
  ctx: ProbeContext,
  file: OpenBinary,
  probeConfig: ProbeConfig,
  exe: string,
  id: number,
  response: ResponseReturns | undefined,
  transport: TransportTracing | undefined,
): Promise<ProbedBinary> {
  const { identity, attachPath } = file;
  const { tracer, images } = ctx;
  const key = encodeU32(id);
  const readOnlyData =
    probeConfig.readOnlyData && images?.add(id, attachPath, probeConfig.readOnlyData)
      ? probeConfig.readOnlyData
      : undefined;
  const execImage = execImageRange(readOnlyData, probeConfig);
  const links: number[] = [];
  const returnSites = response?.returns ?? transport?.returns;
  // Without Client.do (entry 'transport') the function probed, and returning, is roundTrip.
  const returnProgram = probeConfig.entry === 'transport' ? 'transport_round_trip_return' : 'client_do_return';
  // x/net's returns take roundTrip's program: same results, and its calls are keyed by depth too.
  const transportReturns = [...(transport?.responseReturns ?? []), ...(transport?.xNet?.responseReturns ?? [])];
  // The compat build has no cookies: it checks each hit's address against the binary's sites.
  const compat = ctx.bpfBuild === 'compat';
  const cookie = compat ? 0 : id;
  let siteKeys: Buffer[] = [];
  let linkId: number;
  try {
    tracer.updateElem(
      'probe_configs',
      key,
      encodeProbeConfig(probeConfig.layout, 0, response, execImage, transport, transport?.xNet?.nesting),
    );
    if (compat) {
      const sites = [
        probeConfig.probe,
        ...(returnSites ?? []),
        ...(transport ? [transport.site, ...transportReturns] : []),
        ...(transport?.xNet ? [transport.xNet.site] : []),
      ];
      siteKeys = probeSiteKeys(id, probeConfig.executableStart, sites, exe);
      for (const site of siteKeys) tracer.updateElem('probe_sites', site, probeSitePresent);
    }
    // Returns first: a call that starts meanwhile is matched or, without its start, ignored.
    if (returnSites) {
      const returns = await Promise.allSettled([
        ...returnSites.map((site) => tracer.attachUprobe(attachPath, site.fileOffset, -1, cookie, returnProgram)),
        ...transportReturns.map((site) =>
          tracer.attachUprobe(attachPath, site.fileOffset, -1, cookie, 'transport_round_trip_return'),
        ),
      ]);
      for (const r of returns) if (r.status === 'fulfilled') links.push(r.value);
      const failed = returns.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    // Then the transport's entry: its records are joined to the calls whose ends are now reported.
    if (transport)
      links.push(await tracer.attachUprobe(attachPath, transport.site.fileOffset, -1, cookie, 'transport_round_trip'));
    if (transport?.xNet)
      links.push(await tracer.attachUprobe(attachPath, transport.xNet.site.fileOffset, -1, cookie, 'h2_round_trip'));
    if (probeConfig.entry === 'transport' && !ctx.traceTransport)
      throw new SnooperError(
        'NO_HTTP_CLIENT',
        `${exe}: the program sends requests only through http.Transport; trace it with the transport option (--transport)`,
      );
    const entry = probeConfig.probe.fileOffset;
    linkId =
      probeConfig.entry === 'transport'
        ? await tracer.attachUprobe(attachPath, entry, -1, cookie, 'transport_round_trip')
        : await tracer.attachUprobe(attachPath, entry, -1, cookie);
  } catch (error) {
    // The tracer may have been closed meanwhile: then there is nothing left to undo.
    try {
      for (const link of links) tracer.detach(link);
      for (const site of siteKeys) tracer.deleteElem('probe_sites', site);
      tracer.deleteElem('probe_configs', key);
    } catch {}
    images?.release(id);
    throw error;
  }
  const binary: ProbedBinary = {
    id,
    identity,
    probeConfig,
    file,
    exe,
    linkId,
    returnLinkIds: links,
    siteKeys,
    response,
    transport: transport && { gTlsOffset: transport.gTlsOffset },
    xNetNesting: transport?.xNet?.nesting,
    readOnlyData,
    pids: new Set(),
    wholeWatchers: 0,
    allWatched: false,
    spawnWatchers: 0,
  };
  return binary;
}

/** Detaches a binary's probes and deletes its layout and sites; its image file goes too. */
export function detachProbes(ctx: ProbeContext, binary: ProbedBinary): void {
  ctx.tracer.detach(binary.linkId);
  for (const link of binary.returnLinkIds) ctx.tracer.detach(link);
  for (const site of binary.siteKeys) ctx.tracer.deleteElem('probe_sites', site);
  ctx.tracer.deleteElem('probe_configs', encodeU32(binary.id));
  ctx.images?.release(binary.id);
}
