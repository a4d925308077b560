import { describe, expect, it } from 'vitest';
import { abiConvention } from './abi-convention.js';
import { mapKindFor } from './map-kind.js';

describe('abiConvention', () => {
  it('ignores noregabi from 1.19, where regabi is always on', () => {
    expect(abiConvention({ minor: 19 }, 'amd64', ['noregabi']).kind).toBe('register');
    expect(abiConvention({ minor: 18 }, 'arm64', ['noregabi']).kind).toBe('stack');
  });
});

describe('mapKindFor', () => {
  it('follows the swiss map rollout', () => {
    expect([23, 24, 25, 26].map((minor) => mapKindFor({ minor }, []))).toEqual(['hmap', 'swiss', 'swiss', 'swiss']);
    expect([23, 24, 25, 26].map((minor) => mapKindFor({ minor }, ['noswissmap']))).toEqual([
      'hmap',
      'hmap',
      'hmap',
      'hmap',
    ]);
  });
});
