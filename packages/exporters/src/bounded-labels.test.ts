import { describe, expect, it } from 'vitest';
import { BoundedLabels } from './bounded-labels.js';

describe('BoundedLabels', () => {
  it('keeps the first values and folds the rest into "other"', () => {
    const hosts = new BoundedLabels(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((h) => hosts.label(h))).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
  });
});
