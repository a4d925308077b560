import { describe, expect, it } from 'vitest';
import { debianVersionGreater, newestCandidate } from './debian-kernels.js';

describe('newestCandidate', () => {
  it("orders versions as dpkg does: a release after its ~rc, backports' ~bpo after nothing newer", () => {
    expect(debianVersionGreater('7.3.4-1~bpo13+1', '7.3~rc7-1~exp1')).toBe(true);
    expect(debianVersionGreater('6.12.117-1', '6.12.95-1~bpo12+1')).toBe(true);
    expect(debianVersionGreater('5.10.218-1', '5.10.223-1')).toBe(false);
  });

  it('takes the newest, and of a split kernel the linux-binary package that holds the image', () => {
    const candidates = [
      { package: 'linux-image-7.3-cloud-amd64', version: '7.3~rc7-1~exp1' },
      { package: 'linux-image-7.3.4+deb13-cloud-amd64', version: '7.3.4-1~bpo13+1' },
      { package: 'linux-binary-7.3.4+deb13-cloud-amd64', version: '7.3.4-1~bpo13+1' },
      { package: 'linux-image-6.18.15+deb13-cloud-amd64', version: '6.18.15-1~bpo13+1' },
    ];
    expect(newestCandidate(candidates)).toEqual(candidates[2]);
    expect(newestCandidate(candidates.slice(0, 2))).toEqual(candidates[1]);
    expect(newestCandidate([])).toBeUndefined();
  });
});
