import { describe, expect, it } from 'vitest';
import { kernelDev } from './binary-identity.js';

describe('kernelDev', () => {
  it('turns stat(2) st_dev into the kernel encoding (major << 20 | minor)', () => {
    expect(kernelDev(0xfe00n)).toBe((254n << 20n) | 0n); // 254:0, as stat and the exec record showed on /dev/vda
    expect(kernelDev(0x0803n)).toBe((8n << 20n) | 3n); // 8:3
    expect(kernelDev(0x12310345n)).toBe(0x10312345n); // 259:0x12345 (minor above 8 bits)
  });
});
