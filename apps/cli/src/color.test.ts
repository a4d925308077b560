import { describe, expect, it } from 'vitest';
import { useColor } from './color.js';

describe('--color', () => {
  it('auto follows the terminal when the environment says nothing', () => {
    expect(useColor('auto', true, {})).toBe(true);
    expect(useColor('auto', false, {})).toBe(false);
  });

  it('auto honours NO_COLOR over FORCE_COLOR, and FORCE_COLOR=0 is off', () => {
    expect(useColor('auto', true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor('auto', false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor('auto', false, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(useColor('auto', false, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor('auto', true, { NO_COLOR: '' })).toBe(true);
  });

  it('always and never win over the environment', () => {
    expect(useColor('always', false, { NO_COLOR: '1' })).toBe(true);
    expect(useColor('never', true, { FORCE_COLOR: '1' })).toBe(false);
  });
});
