import { describe, expect, it } from 'vitest';
import { ResponseFlag, ResponseKind, responseLayout as R, Via } from './bpf-abi.js';
import { decodeResponse } from './decode-response.js';

function record(fields: { flags: number; status: number; via?: number }): Buffer {
  const b = Buffer.alloc(R.size);
  b.writeUInt8(fields.via ?? Via.client, R.via);
  b.writeBigUInt64LE(5_000n, R.ktimeNs);
  b.writeBigUInt64LE(0xc000123400n, R.requestPtr);
  b.writeUInt32LE(4242, R.tgid);
  b.writeUInt32LE(fields.flags, R.flags);
  b.writeUInt16LE(fields.status, R.status);
  b.writeUInt8(ResponseKind, R.kind);
  b.writeBigUInt64LE(1_000n, R.startKtimeNs);
  return b;
}

describe('decodeResponse', () => {
  it('reads status, error flag and both timestamps', () => {
    expect(decodeResponse(record({ flags: ResponseFlag.error, status: 502 }))).toEqual({
      pid: 4242,
      via: 'client',
      requestPtr: 0xc000123400n,
      startNs: 1_000n,
      endNs: 5_000n,
      status: 502,
      error: true,
      readError: false,
    });
  });

  it('says which function returned: Client.do or the transport', () => {
    expect(decodeResponse(record({ flags: 0, status: 302, via: Via.transport }))).toMatchObject({
      via: 'transport',
      status: 302,
    });
    expect(decodeResponse(record({ flags: 0, status: 200, via: Via.client })).via).toBe('client');
  });

  it('has no status when no response came back or it could not be read', () => {
    expect(
      decodeResponse(record({ flags: ResponseFlag.error | ResponseFlag.noResponse, status: 0 })).status,
    ).toBeUndefined();
    expect(decodeResponse(record({ flags: ResponseFlag.readError, status: 0 }))).toMatchObject({
      status: undefined,
      readError: true,
    });
  });

  it('refuses a short record', () => {
    expect(() => decodeResponse(record({ flags: 0, status: 200 }).subarray(0, R.size - 1))).toThrow(/expected 56/);
  });
});
