import { describe, expect, it } from 'vitest';
import { limitMallocRetention } from './malloc-retention.js';

describe('limitMallocRetention', () => {
  it('sets the thresholds on glibc (Debian, the project’s machines)', async () => {
    expect(await limitMallocRetention()).toBe(true);
  });
});
