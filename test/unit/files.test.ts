import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinPlain } from '../../src/util/files.js';

describe('joinPlain', () => {
  it('gives what path.join gives, for plain relative paths and the ones it must normalise', () => {
    const bases = ['/project', '/', '.', '..', '../out', 'target/compiled/shop'];
    const relatives = ['models/orders.sql', 'a', '', '.', '..', './a', 'a/./b', 'a/../b', 'a//b', '/a', 'a/', '.hidden/x', 'a/..b', '..x/y', 'x.'];
    for (const base of bases) for (const relative of relatives) expect(joinPlain(join(base), relative)).toBe(join(base, relative));
  });
});
