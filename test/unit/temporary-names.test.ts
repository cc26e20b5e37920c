import { describe, expect, it } from 'vitest';
import { isLeftover, temporaryName } from '../../src/materializations/temporary-names.js';

describe('temporary relation names', () => {
  it('recognises the swap names it builds, shortened or not, as leftovers', () => {
    for (const base of ['orders', 'x'.repeat(80)]) {
      for (const role of ['tmp', 'backup'] as const) {
        const name = temporaryName(base, role, '0a1b2c3d', 63);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
        expect(isLeftover(name), name).toBe(true);
      }
    }
    expect(temporaryName('orders', 'tmp', '0a1b2c3d', 63)).toBe('orders__tsdbt_tmp_0a1b2c3d');
  });

  it('never takes a session table or a user relation for a leftover', () => {
    expect(isLeftover(temporaryName('orders', 'incr', '0a1b2c3d', 63))).toBe(false);
    expect(isLeftover('orders')).toBe(false);
    expect(isLeftover('orders__tsdbt_tmp_')).toBe(false);
    expect(isLeftover('orders__tsdbt_tmp_zz')).toBe(false);
  });
});
