import type { GoLayout, HmapLayout, SwissLayout } from '@httpwatcher/go-offsets';
import { describe, expect, it } from 'vitest';
import { Abi, MapKindCode, type ProbeConfigField, probeConfigFields, probeConfigSize } from './bpf-abi.js';
import { encodeProbeConfig } from './encode-probe-config.js';

/** Every field of a `struct hw_probe_config` as the BPF program reads it. */
function fieldsOf(probeConfig: Buffer): Record<ProbeConfigField, number> {
  expect(probeConfig.length).toBe(probeConfigSize);
  const fields = {} as Record<ProbeConfigField, number>;
  for (const [name, offset, size] of probeConfigFields) {
    if (size === 1) fields[name] = probeConfig.readUInt8(offset);
    else if (size === 2) fields[name] = probeConfig.readUInt16LE(offset);
    else if (size === 4) fields[name] = probeConfig.readUInt32LE(offset);
    else fields[name] = Number(probeConfig.readBigUInt64LE(offset));
  }
  return fields;
}

const zero = Object.fromEntries(probeConfigFields.map(([name]) => [name, 0])) as Record<ProbeConfigField, number>;

const hmap: HmapLayout = {
  kind: 'hmap',
  count: 201,
  flags: 202,
  B: 203,
  buckets: 204,
  oldbuckets: 205,
  bucketSize: 206,
  bucketKeys: 207,
  bucketValues: 208,
  bucketOverflow: 209,
  keySize: 16,
  valueSize: 24,
};

const swiss: SwissLayout = {
  kind: 'swiss',
  used: 301,
  dirPtr: 302,
  dirLen: 303,
  globalDepth: 304,
  tableLocalDepth: 305,
  tableGroupsData: 306,
  tableGroupsLengthMask: 307,
  groupSize: 308,
  groupCtrl: 309,
  groupSlots: 310,
  slotSize: 311,
  slotKey: 312,
  slotElem: 313,
};

/** A layout whose every offset is distinct, so a field written to the wrong slot shows. */
function layout(abi: GoLayout['abi'], headerMap: GoLayout['headerMap']): GoLayout {
  return {
    arch: 'amd64',
    abi,
    request: { method: 101, url: 102, header: 103, host: 104 },
    url: {
      scheme: 111,
      opaque: 112,
      user: 113,
      host: 114,
      path: 115,
      rawPath: 116,
      forceQuery: 117,
      rawQuery: 118,
      fragment: 119,
      rawFragment: 120,
    },
    userinfo: { username: 0, password: 16, passwordSet: 32 },
    headerMap,
    response: { statusCode: 131 },
  };
}

const registerAbi: GoLayout['abi'] = {
  kind: 'register',
  requestArg: { register: 'RBX' },
  goroutineRegister: 'R14',
  goidOffset: 152,
};
const stackAbi: GoLayout['abi'] = {
  kind: 'stack',
  requestArg: { stackOffset: 16 },
  goroutineRegister: null,
  goidOffset: 152,
};

const requestAndUrl = {
  req_method: 101,
  req_url: 102,
  req_header: 103,
  req_host: 104,
  url_scheme: 111,
  url_opaque: 112,
  url_user: 113,
  url_host: 114,
  url_path: 115,
  url_raw_path: 116,
  url_force_query: 117,
  url_raw_query: 118,
  url_fragment: 119,
  url_raw_fragment: 120,
};

describe('encodeProbeConfig', () => {
  it('writes a register-ABI, bucket-map layout into its hw_probe_config slots and nothing else', () => {
    expect(fieldsOf(encodeProbeConfig(layout(registerAbi, hmap), 4242))).toEqual({
      ...zero,
      abi: Abi.register,
      map_kind: MapKindCode.hmap,
      goid_offset: 152,
      ns_tgid: 4242,
      ...requestAndUrl,
      hm_count: 201,
      hm_flags: 202,
      hm_b: 203,
      hm_buckets: 204,
      hm_oldbuckets: 205,
      hm_bucket_size: 206,
      hm_keys: 207,
      hm_values: 208,
      hm_overflow: 209,
    });
  });

  it('writes a swiss map layout into the sw_ slots, leaving the hm_ ones zero', () => {
    expect(fieldsOf(encodeProbeConfig(layout(registerAbi, swiss), 7))).toEqual({
      ...zero,
      abi: Abi.register,
      map_kind: MapKindCode.swiss,
      goid_offset: 152,
      ns_tgid: 7,
      ...requestAndUrl,
      sw_used: 301,
      sw_dir_ptr: 302,
      sw_dir_len: 303,
      sw_global_depth: 304,
      sw_local_depth: 305,
      sw_groups_data: 306,
      sw_groups_mask: 307,
      sw_group_size: 308,
      sw_group_ctrl: 309,
      sw_group_slots: 310,
      sw_slot_size: 311,
      sw_slot_key: 312,
      sw_slot_elem: 313,
    });
  });

  it('under the stack ABI reads the request from the frame and no goroutine id (there is no g register)', () => {
    const fields = fieldsOf(encodeProbeConfig(layout(stackAbi, hmap), 1));
    expect([fields.abi, fields.stack_arg_offset, fields.goid_offset]).toEqual([Abi.stack, 16, 0]);
  });

  it('with response tracing: the status code offset, and under the stack ABI the results and g in TLS', () => {
    const register = fieldsOf(encodeProbeConfig(layout(registerAbi, swiss), 1, { gTlsOffset: undefined }));
    expect([
      register.response,
      register.resp_status_code,
      register.result_stack_offset,
      register.g_tls_neg_offset,
    ]).toEqual([1, 131, 0, 0]);
    const stack = fieldsOf(encodeProbeConfig(layout(stackAbi, hmap), 1, { gTlsOffset: -8 }));
    // ABI0 frame of do(req): receiver, req, then the results, 8 bytes each.
    expect([stack.response, stack.resp_status_code, stack.result_stack_offset, stack.g_tls_neg_offset]).toEqual([
      1, 131, 24, 8,
    ]);
    const off = fieldsOf(encodeProbeConfig(layout(stackAbi, hmap), 1));
    expect([off.response, off.resp_status_code, off.result_stack_offset, off.g_tls_neg_offset]).toEqual([0, 0, 0, 0]);
  });

  it('with the transport probe: the flag, and under the stack ABI g in TLS, without response fields', () => {
    const stack = fieldsOf(encodeProbeConfig(layout(stackAbi, hmap), 1, undefined, undefined, { gTlsOffset: -8 }));
    expect([stack.transport, stack.g_tls_neg_offset, stack.response, stack.resp_status_code]).toEqual([1, 8, 0, 0]);
    const register = fieldsOf(
      encodeProbeConfig(layout(registerAbi, swiss), 1, undefined, undefined, { gTlsOffset: undefined }),
    );
    expect([register.transport, register.g_tls_neg_offset]).toEqual([1, 0]);
    expect(fieldsOf(encodeProbeConfig(layout(registerAbi, swiss), 1)).transport).toBe(0);
  });

  it('gives the read-only data range, and for a PIE traced from its exec the link-time code start', () => {
    const base = layout(registerAbi, swiss);
    const fixed = fieldsOf(encodeProbeConfig(base, 1, undefined, { vaddr: 0x6a0000, sizeBytes: 0x1000 }));
    expect([fixed.ro_lo, fixed.ro_hi, fixed.ro_pie, fixed.executable_start]).toEqual([0x6a0000, 0x6a1000, 0, 0]);
    const pie = fieldsOf(
      encodeProbeConfig(base, 1, undefined, { vaddr: 0x2a0000, sizeBytes: 0x800, executableStart: 0x1000 }),
    );
    expect([pie.ro_lo, pie.ro_hi, pie.ro_pie, pie.executable_start]).toEqual([0x2a0000, 0x2a0800, 1, 0x1000]);
    const empty = fieldsOf(encodeProbeConfig(base, 1, undefined, { vaddr: 0x6a0000, sizeBytes: 0 }));
    expect([empty.ro_lo, empty.ro_hi, empty.ro_pie, empty.executable_start]).toEqual([0, 0, 0, 0]);
  });

  it('refuses a value that does not fit its slot, naming the field', () => {
    const base = layout(registerAbi, swiss);
    expect(() => encodeProbeConfig(base, 2 ** 32)).toThrow(
      'probe config field ns_tgid = 4294967296 does not fit in 4 byte(s)',
    );
    expect(() => encodeProbeConfig(base, -1)).toThrow('probe config field ns_tgid = -1 does not fit in 4 byte(s)');
    expect(() => encodeProbeConfig({ ...base, request: { ...base.request, method: 65_536 } }, 1)).toThrow(
      'probe config field req_method = 65536 does not fit in 2 byte(s)',
    );
    expect(() => encodeProbeConfig({ ...base, request: { ...base.request, url: 1.5 } }, 1)).toThrow(RangeError);
    expect(() => encodeProbeConfig(layout(registerAbi, swiss), 1, { gTlsOffset: 8 })).toThrow(
      'probe config field g_tls_neg_offset = -8 does not fit in 2 byte(s)',
    );
  });
});
