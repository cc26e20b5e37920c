import { describe, expect, it } from 'vitest';
import { mergeConfigs, partialNodeConfig } from '../../src/core/node-config.js';

const layer = (config: unknown) => partialNodeConfig.parse(config);

describe('mergeConfigs', () => {
  it('lets later layers win, accumulates tags and merges meta', () => {
    const merged = mergeConfigs({ materialized: 'view' }, [
      layer({ materialized: 'table', tags: 'a, b', meta: { owner: 'x', team: 'y' }, schema: 'one' }),
      layer({ tags: ['b', 'c'], meta: { owner: 'z' }, schema: 'two' }),
    ]);
    expect(merged).toEqual({ enabled: true, materialized: 'table', tags: ['a', 'b', 'c'], meta: { owner: 'z', team: 'y' }, schema: 'two' });
  });

  it("reads dbt's pre-hook and post-hook as pre_hook and post_hook, a later layer's spelling replacing an earlier one", () => {
    const merged = mergeConfigs({ materialized: 'view' }, [layer({ 'pre-hook': 'select 1', post_hook: ['select 2'] }), layer({ pre_hook: 'select 3', 'post-hook': 'select 4' })]);
    expect(merged.pre_hook).toEqual(['select 3']);
    expect(merged.post_hook).toEqual(['select 4']);
    expect(Object.keys(merged)).not.toContain('pre-hook');
  });

  it('keeps what earlier layers set when a later one leaves a key unset', () => {
    const merged = mergeConfigs({ materialized: 'view' }, [layer({ enabled: false, unique_key: 'id' }), layer({ alias: 'renamed' })]);
    expect(merged).toMatchObject({ enabled: false, unique_key: 'id', alias: 'renamed', materialized: 'view' });
    expect(Object.keys(merged)).not.toContain('pre_hook');
  });
});
