import type { GoLayout } from '@httpwatcher/go-offsets';
import { Abi, MapKindCode, probeConfigFields, probeConfigSize, type ProbeConfigField } from './bpf-abi.js';

const fieldSpec = new Map<ProbeConfigField, { offset: number; size: number }>(
  probeConfigFields.map(([name, offset, size]) => [name, { offset, size }]),
);

/** Response tracing for a binary: where g is found at a RET under the stack ABI on amd64. */
export interface ResponseTracing {
  readonly gTlsOffset: number | undefined;
}

/** A function's code relative to a probe site, (lo, hi]: return addresses inside it (bpf/nesting.bpf.h). */
export interface NestedRange {
  readonly lo: number;
  readonly hi: number;
}

/** Where a process maps its binary's read-only data: strings there are sent as offsets into it. */
export interface ImageRange {
  readonly vaddr: number;
  readonly sizeBytes: number;
  /**
   * Set when `vaddr` is a PIE's link-time address, for processes the kernel starts tracing at exec:
   * the lowest executable segment's link-time address, from which the exec program finds the load bias.
   */
  readonly executableStart?: number;
}

/**
 * Encodes a `struct hw_probe_config` for one traced process; with `response`, its calls' returns are
 * reported too; with `readOnlyData`, header keys and values in it are sent as offsets into it; with
 * `transport`, the transport probe is attached: request records carry their goroutine and the
 * returns of Client.do write call-end records.
 */
export function encodeProbeConfig(
  layout: GoLayout,
  nsPid: number,
  response?: ResponseTracing,
  readOnlyData?: ImageRange,
  transport?: ResponseTracing,
  nesting?: NestedRange,
): Buffer {
  const buf = Buffer.alloc(probeConfigSize);
  const put = (name: ProbeConfigField, value: number): void => {
    const { offset, size } = fieldSpec.get(name)!;
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * size)) {
      throw new RangeError(`probe config field ${name} = ${value} does not fit in ${size} byte(s)`);
    }
    if (size === 8) buf.writeBigUInt64LE(BigInt(value), offset);
    else if (size === 1) buf.writeUInt8(value, offset);
    else if (size === 2) buf.writeUInt16LE(value, offset);
    else buf.writeUInt32LE(value, offset);
  };

  const { abi, request, url, headerMap } = layout;
  put('abi', abi.kind === 'stack' ? Abi.stack : Abi.register);
  put('stack_arg_offset', 'stackOffset' in abi.requestArg ? abi.requestArg.stackOffset : 0);
  // The goroutine id is read through the g register, which only the register ABI provides.
  put('goid_offset', abi.goroutineRegister ? abi.goidOffset : 0);
  put('ns_tgid', nsPid);

  put('req_method', request.method);
  put('req_url', request.url);
  put('req_header', request.header);
  put('req_host', request.host);
  put('url_scheme', url.scheme);
  put('url_opaque', url.opaque);
  put('url_user', url.user);
  put('url_host', url.host);
  put('url_path', url.path);
  put('url_raw_path', url.rawPath);
  put('url_force_query', url.forceQuery);
  put('url_raw_query', url.rawQuery);
  put('url_fragment', url.fragment);
  put('url_raw_fragment', url.rawFragment);

  if (headerMap.kind === 'hmap') {
    put('map_kind', MapKindCode.hmap);
    put('hm_count', headerMap.count);
    put('hm_flags', headerMap.flags);
    put('hm_b', headerMap.B);
    put('hm_buckets', headerMap.buckets);
    put('hm_oldbuckets', headerMap.oldbuckets);
    put('hm_bucket_size', headerMap.bucketSize);
    put('hm_keys', headerMap.bucketKeys);
    put('hm_values', headerMap.bucketValues);
    put('hm_overflow', headerMap.bucketOverflow);
  } else {
    put('map_kind', MapKindCode.swiss);
    put('sw_used', headerMap.used);
    put('sw_dir_ptr', headerMap.dirPtr);
    put('sw_dir_len', headerMap.dirLen);
    put('sw_global_depth', headerMap.globalDepth);
    put('sw_local_depth', headerMap.tableLocalDepth);
    put('sw_groups_data', headerMap.tableGroupsData);
    put('sw_groups_mask', headerMap.tableGroupsLengthMask);
    put('sw_group_size', headerMap.groupSize);
    put('sw_group_ctrl', headerMap.groupCtrl);
    put('sw_group_slots', headerMap.groupSlots);
    put('sw_slot_size', headerMap.slotSize);
    put('sw_slot_key', headerMap.slotKey);
    put('sw_slot_elem', headerMap.slotElem);
  }
  if (response) {
    put('response', 1);
    put('resp_status_code', layout.response.statusCode);
    // ABI0 frame of do(req) (retres, reterr): receiver, req, then the results, 8 bytes each.
    if ('stackOffset' in abi.requestArg) put('result_stack_offset', abi.requestArg.stackOffset + 8);
    if (response.gTlsOffset !== undefined) put('g_tls_neg_offset', -response.gTlsOffset);
  }
  if (transport) {
    put('transport', 1);
    if (transport.gTlsOffset !== undefined) put('g_tls_neg_offset', -transport.gTlsOffset);
  }
  if (nesting) {
    for (const [name, value] of [
      ['nest_lo', nesting.lo],
      ['nest_hi', nesting.hi],
    ] as const) {
      if (!Number.isSafeInteger(value)) throw new RangeError(`probe config field ${name} = ${value} is not an integer`);
      buf.writeBigInt64LE(BigInt(value), fieldSpec.get(name)!.offset);
    }
  }
  if (readOnlyData && readOnlyData.sizeBytes > 0) {
    put('ro_lo', readOnlyData.vaddr);
    put('ro_hi', readOnlyData.vaddr + readOnlyData.sizeBytes);
    if (readOnlyData.executableStart !== undefined) {
      put('ro_pie', 1);
      put('executable_start', readOnlyData.executableStart);
    }
  }
  return buf;
}
