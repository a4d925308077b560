import type { GoBinary } from './go-binary.js';
import { GoElfError } from './go-elf-error.js';

/** Entered once per `Client.Do` (and Get, Post, …), before redirects are followed. */
export const clientDoName = 'net/http.(*Client).do';

/**
 * Entered once per request that reaches the standard transport: every `Transport.RoundTrip` call
 * (from `Client.do` for each redirect hop, from `httputil.ReverseProxy`, from any caller holding the
 * transport) goes through it, HTTP/1 and the bundled HTTP/2 alike. Its retries loop inside one call.
 */
export const transportRoundTripName = 'net/http.(*Transport).roundTrip';

/**
 * golang.org/x/net/http2's Transport used directly (not through http.Transport): the function each of
 * its requests enters once, whose retries loop inside it. x/net 0.62 moved the loop into
 * roundTripViaPool (its RoundTripOpt is then inlined away); before, RoundTripOpt held it. The first
 * name the binary has is the one probed.
 */
export const xNetTransportNames = [
  'golang.org/x/net/http2.(*Transport).roundTripViaPool',
  'golang.org/x/net/http2.(*Transport).RoundTripOpt',
] as const;

/** A function httpwatcher probes, where it is, and where its probe goes. */
export interface ProbedFunction {
  name: string;
  address: number;
  fileOffset: number;
  size: number;
  source: 'symtab' | 'pclntab';
  /** After the stack-bound check; undefined when the prologue was not recognised (probe `address` then). */
  probeAddress: number | undefined;
  probeFileOffset: number | undefined;
}

/** Where `name` is and its probe site after the stack check; undefined when the binary has no such function. */
export async function findProbedFunction(binary: GoBinary, name: string): Promise<ProbedFunction | undefined> {
  let fn: Awaited<ReturnType<GoBinary['findFunction']>>;
  try {
    fn = await binary.findFunction(name);
  } catch (error) {
    if (GoElfError.isInstance(error) && error.code === 'SYMBOL_NOT_FOUND') return undefined;
    throw error;
  }
  let probe: { address: number; fileOffset: number } | undefined;
  try {
    probe = await binary.stackCheckEnd(fn);
  } catch (error) {
    if (!GoElfError.isInstance(error) || error.code !== 'PROLOGUE_NOT_RECOGNISED') throw error;
  }
  return {
    name: fn.name,
    address: fn.entry,
    fileOffset: fn.fileOffset,
    size: fn.size,
    source: fn.source,
    probeAddress: probe?.address,
    probeFileOffset: probe?.fileOffset,
  };
}
