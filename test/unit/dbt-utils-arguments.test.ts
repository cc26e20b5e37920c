import { describe, expect, it } from 'vitest';
import { bindArguments, optional, required } from '../../src/templating/dbt-utils/arguments.js';
import { dbtColumn } from '../../src/templating/dbt-utils/column-types.js';

describe('dbt_utils arguments', () => {
  const parameters = [required('from'), optional('except', []), optional('prefix', '')];

  it('binds positional arguments in order, keyword ones by name, and the defaults', () => {
    expect(bindArguments('dbt_utils.star', parameters, ['"s"."t"'], { prefix: 'o_' })).toEqual({ from: '"s"."t"', except: [], prefix: 'o_' });
    expect(bindArguments('dbt_utils.star', parameters, [], { from: 'x', except: ['id'] })).toEqual({ from: 'x', except: ['id'], prefix: '' });
  });

  it('refuses what Jinja refuses: too many, unknown, repeated and missing arguments', () => {
    expect(() => bindArguments('dbt_utils.star', parameters, ['a', 'b', 'c', 'd'], {})).toThrow('dbt_utils.star takes at most 3 arguments (from, except, prefix), got 4');
    expect(() => bindArguments('dbt_utils.star', parameters, ['a'], { exclude: ['id'] })).toThrow("dbt_utils.star takes no argument 'exclude'");
    expect(() => bindArguments('dbt_utils.star', parameters, ['a'], { from: 'b' })).toThrow("dbt_utils.star got argument 'from' twice");
    expect(() => bindArguments('dbt_utils.star', parameters, [], { prefix: 'p' })).toThrow("dbt_utils.star needs the argument 'from'");
  });
});

describe("dbt's column types on PostgreSQL", () => {
  it('keep string sizes and numeric precision, as information_schema gives dbt the rest', () => {
    const type = (name: string) => dbtColumn({ name: 'c', type: name });
    expect(type('character varying(20)')).toEqual({ name: 'c', dataType: 'character varying(20)', stringSize: 20 });
    expect(type('character(5)')).toEqual({ name: 'c', dataType: 'character varying(5)', stringSize: 5 });
    expect(type('text')).toEqual({ name: 'c', dataType: 'text', stringSize: 256 });
    expect(type('character varying')).toEqual({ name: 'c', dataType: 'character varying', stringSize: 256 });
    expect(type('numeric(10,2)').dataType).toBe('numeric(10,2)');
    expect(type('timestamp(3) without time zone')).toEqual({ name: 'c', dataType: 'timestamp without time zone', stringSize: undefined });
    expect(type('integer').dataType).toBe('integer');
  });
});
