import { describe, expect, it } from 'vitest';
import { parseQuotedRelation, quoteRelation } from '../../src/adapters/sql.js';
import type { CatalogRelation } from '../../src/adapters/introspector.js';
import { parseRetention } from '../../src/cli/commands/janitor.js';
import type { VirtualEnvironmentSettings } from '../../src/config/project.js';
import { diffEnvironments, summarizeEnvironments } from '../../src/environments/environments.js';
import { abandonedEnvironmentSchemas, planJanitor } from '../../src/environments/janitor.js';
import { environmentSchema, environmentSchemaPattern } from '../../src/environments/naming.js';
import type { EnvironmentViewRow, VersionRow } from '../../src/environments/state.js';

const SETTINGS: VirtualEnvironmentSettings = { physicalSchema: 'tsdbt_physical', environmentSchema: '{schema}__{env}', defaultEnvironment: 'prod', retentionHours: 168 };
const NOW = new Date('2026-01-31T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const table = (identifier: string, kind: CatalogRelation['kind'] = 'table'): CatalogRelation => ({ schema: 'tsdbt_physical', identifier, kind });
const quoted = (identifier: string) => quoteRelation(table(identifier));

function version(fingerprint: string, usedDaysAgo: number, options: { table?: string; reads?: string[] } = {}): VersionRow {
  return {
    relation: quoted(options.table ?? fingerprint),
    fingerprint,
    unique_id: 'model.p.m',
    table_fingerprint: fingerprint,
    materialization: options.reads ? 'view' : 'table',
    logic: '',
    compiled_sql: null,
    columns: null,
    parents: '{}',
    depends_on: JSON.stringify((options.reads ?? []).map(quoted)),
    event_time_start: null,
    event_time_end: null,
    used_at: daysAgo(usedDaysAgo),
  };
}

function view(environment: string, relation: string, fingerprint: string, promotedDaysAgo = 0): EnvironmentViewRow {
  return { relation, environment, unique_id: `model.p.${relation.split('.')[1]!.replaceAll('"', '')}`, fingerprint, promoted_at: daysAgo(promotedDaysAgo) };
}

describe('planJanitor', () => {
  const plan = (versions: VersionRow[], views: EnvironmentViewRow[], physical: CatalogRelation[], extra: { pinned?: Set<string>; retentionHours?: number } = {}) =>
    planJanitor({ versions, views, physical, now: NOW, retentionHours: extra.retentionHours ?? 168, pinned: extra.pinned });

  it('drops expired unused versions and orphans; keeps used, recent and shared tables', () => {
    const result = plan(
      [version('used', 30), version('expired', 30), version('recent', 2), version('shared_a', 30, { table: 'shared' }), version('shared_b', 1, { table: 'shared' })],
      [view('prod', '"a"."m"', 'used')],
      [table('used'), table('expired'), table('recent'), table('shared'), table('orphan')],
    );
    expect(result.drops.map((drop) => [drop.relation, drop.fingerprints, drop.lastUsed])).toEqual([
      [quoted('expired'), ['expired'], daysAgo(30)],
      [quoted('orphan'), [], undefined],
    ]);
    expect(result.kept).toBe(3);
    expect(plan([version('recent', 2)], [], [table('recent')], { retentionHours: 24 }).drops.map((drop) => drop.relation)).toEqual([quoted('recent')]);
  });

  it("keeps a JSON seed version's rejects table with its table, and drops it with it, never as an orphan", () => {
    const result = plan(
      [version('seed_kept', 0), version('seed_gone', 30)],
      [view('prod', '"raw"."seed"', 'seed_kept')],
      [table('seed_kept'), table('seed_kept__rejects'), table('seed_gone'), table('seed_gone__rejects')],
    );
    expect(result.drops.map((drop) => drop.relation).sort()).toEqual([quoted('seed_gone'), quoted('seed_gone__rejects')]);
    expect(result.kept).toBe(2);
  });

  it("keeps what a kept view version reads, transitively, and pinned relations with what they read", () => {
    const versions = [version('base', 30), version('middle', 30, { reads: ['base'] }), version('top', 30, { reads: ['middle'] })];
    const physical = [table('base'), table('middle', 'view'), table('top', 'view')];
    expect(plan(versions, [view('dev', '"a__dev"."m"', 'top')], physical).drops).toEqual([]);
    expect(plan(versions, [], physical, { pinned: new Set([quoted('middle')]) }).drops.map((drop) => drop.relation)).toEqual([quoted('top')]);
  });

  it('orders readers before what they read, and forgets expired versions whose table is gone', () => {
    const versions = [version('base', 30), version('top', 30, { reads: ['base'] }), version('gone', 30)];
    const result = planJanitor({ versions, views: [], physical: [table('base'), table('top', 'view')], now: NOW, retentionHours: 168 }, new Map([[quoted('base'), [quoted('top')]]]));
    expect(result.drops.map((drop) => drop.relation)).toEqual([quoted('top'), quoted('base')]);
    expect(result.staleFingerprints).toEqual(['gone']);
  });
});

describe('environment schemas', () => {
  it('environmentSchemaPattern inverts environmentSchema', () => {
    expect(environmentSchemaPattern(SETTINGS, 'analysis').exec(environmentSchema(SETTINGS, 'analysis', 'dev'))?.[1]).toBe('dev');
    expect(environmentSchemaPattern(SETTINGS, 'analysis').exec('analysis')).toBeNull();
    const odd = { ...SETTINGS, environmentSchema: 'env_{env}.{schema}_{env}' };
    expect(environmentSchemaPattern(odd, 'a').exec('env_qa.a_qa')?.[1]).toBe('qa');
    expect(environmentSchemaPattern(odd, 'a').exec('env_qa.a_dev')).toBeNull();
    expect(environmentSchemaPattern(odd, 'a').exec('env_qaXa_qa')).toBeNull();
  });

  it("abandoned ones are named after a project schema for an environment without views, never the project's or a live one", () => {
    const existing = ['analysis', 'analysis__dev', 'analysis__old', 'analysis__prod', 'staging', 'staging__old', 'other__old', 'analysis__x', 'tsdbt_physical'];
    const views = [view('dev', '"analysis__dev"."m"', 'f'), view('x', '"analysis__x"."m"', 'f')];
    expect(abandonedEnvironmentSchemas(SETTINGS, ['analysis', 'staging'], existing, views)).toEqual(['analysis__old', 'staging__old']);
    // A project schema that the template could also read as an environment's is the project's.
    expect(abandonedEnvironmentSchemas(SETTINGS, ['analysis', 'analysis__old'], existing, [])).toEqual(['analysis__dev', 'analysis__x']);
  });
});

describe('env ls and diff', () => {
  it('summarizes each environment, the default first', () => {
    const views = [view('dev', '"a__dev"."m"', 'f', 1), view('prod', '"a"."m"', 'f', 3), view('dev', '"b__dev"."n"', 'g', 2)];
    expect(summarizeEnvironments(views, 'prod')).toEqual([
      { name: 'prod', views: 1, lastPromoted: daysAgo(3), isDefault: true, schemas: ['a'] },
      { name: 'dev', views: 2, lastPromoted: daysAgo(1), isDefault: false, schemas: ['a__dev', 'b__dev'] },
    ]);
  });

  it('diffs two environments node by node, with their physical tables', () => {
    const a = [view('dev', '"s__dev"."x"', 'x1'), view('dev', '"s__dev"."y"', 'y2'), view('dev', '"s__dev"."z"', 'z1')];
    const b = [view('prod', '"s"."y"', 'y1'), view('prod', '"s"."z"', 'z1'), view('prod', '"s"."w"', 'w1')];
    expect(diffEnvironments(a, b, [version('y1', 0), version('y2', 0, { table: 'shared' })])).toEqual({
      onlyInA: [{ uniqueId: 'model.p.x', fingerprint: 'x1', physical: undefined }],
      onlyInB: [{ uniqueId: 'model.p.w', fingerprint: 'w1', physical: undefined }],
      different: [{ uniqueId: 'model.p.y', a: { fingerprint: 'y2', physical: quoted('shared') }, b: { fingerprint: 'y1', physical: quoted('y1') } }],
    });
  });
});

describe('parsing', () => {
  it('parseQuotedRelation reads what quoteRelation wrote, and nothing else', () => {
    const relation = { schema: 'we"ird', identifier: 'a.b' };
    expect(parseQuotedRelation(quoteRelation(relation))).toEqual(relation);
    expect(parseQuotedRelation('a.b')).toBeUndefined();
  });

  it('--retention: days, or hours and days with their unit', () => {
    expect(parseRetention('7')).toBe(168);
    expect(parseRetention('12h')).toBe(12);
    expect(parseRetention('1.5d')).toBe(36);
    expect(() => parseRetention('7 weeks')).toThrow(/not a retention/);
  });
});
