/**
 * What a project with virtual environments leaves in target/ (issue 20, item 6): manifest.json names each node by the
 * environment's view and records the fingerprint of the version it shows, as tsdbt_meta.environment_views has it;
 * `docs generate --env NAME` documents that environment's views with each version's fingerprint and physical table.
 */
import { expect, it } from 'vitest';
import type { ProjectLineage } from '../../src/lineage/types.js';
import { readDocsData, VIRTUAL_SHOP_PROJECT } from '../helpers/docs-project.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

interface ManifestNode {
  fingerprint?: string;
  relation_name: string;
  schema: string;
}

interface Manifest {
  metadata: { environment?: string };
  nodes: Record<string, ManifestNode>;
}

const VERSIONED = ['model.test_project.customer_totals', 'model.test_project.orders', 'seed.test_project.raw_orders'];

function readManifest(project: TestProject): Manifest {
  return JSON.parse(project.read('target/manifest.json')) as Manifest;
}

/** Each versioned node's fingerprint in the manifest (absent ones left out). */
function manifestFingerprints(manifest: Manifest): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.nodes).flatMap(([id, node]) => (node.fingerprint === undefined ? [] : [[id, node.fingerprint]])));
}

/** What tsdbt_meta says the environment's views show: unique id → fingerprint, and fingerprint → physical table. */
async function environmentViews(project: TestProject, environment: string): Promise<{ fingerprints: Record<string, string>; tables: Record<string, string> }> {
  const rows = await project.query<{ unique_id: string; fingerprint: string; relation: string }>(
    'select v.unique_id, v.fingerprint, p.relation from tsdbt_meta.environment_views v join tsdbt_meta.versions p using (fingerprint) where v.environment = $1',
    [environment],
  );
  return {
    fingerprints: Object.fromEntries(rows.map((row) => [row.unique_id, row.fingerprint])),
    tables: Object.fromEntries(rows.map((row) => [row.fingerprint, row.relation])),
  };
}

/** customer_totals with one more column. */
const withColumn = (column: string) => VIRTUAL_SHOP_PROJECT['models/customer_totals.sql']!.replace('t.orders\n', `t.orders, ${column}\n`);

async function succeeds(project: TestProject, ...args: string[]): Promise<void> {
  const result = await project.run(...args);
  expect(result.code, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
}

describeBackends('virtual environments: manifest and docs', (backend) => {
  it("records the environment's fingerprints in manifest.json and documents an environment's views and versions", async () => {
    const project = makeProject(VIRTUAL_SHOP_PROJECT, backend);
    await succeeds(project, 'plan', '--auto-apply');
    const prod = await environmentViews(project, 'prod');
    expect(Object.keys(prod.fingerprints).sort()).toEqual(VERSIONED);
    let manifest = readManifest(project);
    expect(manifest.metadata.environment).toBe('prod');
    expect(manifestFingerprints(manifest)).toEqual(prod.fingerprints);
    expect(manifest.nodes['model.test_project.orders']).toMatchObject({ relation_name: '"analytics"."orders"', schema: 'analytics' });

    // dev gets a new version of customer_totals (a column added); orders and the seed are shared with prod.
    project.write('models/customer_totals.sql', withColumn('1 as one'));
    await succeeds(project, 'plan', 'dev', '--auto-apply');
    const dev = await environmentViews(project, 'dev');
    expect(dev.fingerprints['model.test_project.customer_totals']).not.toBe(prod.fingerprints['model.test_project.customer_totals']);
    expect(dev.fingerprints['model.test_project.orders']).toBe(prod.fingerprints['model.test_project.orders']);
    manifest = readManifest(project);
    expect(manifest.metadata.environment).toBe('dev');
    expect(manifestFingerprints(manifest)).toEqual(dev.fingerprints);
    // What users query: dev's views, not the physical tables.
    expect(manifest.nodes['model.test_project.orders']).toMatchObject({ relation_name: '"analytics__dev"."orders"', schema: 'analytics__dev' });

    // A plan shown and not applied leaves the environment as it was, and so says the manifest.
    project.write('models/customer_totals.sql', withColumn('2 as two'));
    await succeeds(project, 'plan', 'dev', '--output', 'json');
    expect(manifestFingerprints(readManifest(project))).toEqual(dev.fingerprints);
    expect((await environmentViews(project, 'dev')).fingerprints).toEqual(dev.fingerprints);
    project.write('models/customer_totals.sql', withColumn('1 as one'));

    // `test` runs on the environment's views: the manifest has the versions they show.
    await succeeds(project, 'test', '--env', 'dev');
    expect(readManifest(project).metadata.environment).toBe('dev');
    expect(manifestFingerprints(readManifest(project))).toEqual(dev.fingerprints);

    await succeeds(project, 'docs', 'generate', '--env', 'dev');
    manifest = readManifest(project);
    expect(manifest.metadata.environment).toBe('dev');
    expect(manifestFingerprints(manifest)).toEqual(dev.fingerprints);
    const data = readDocsData(project);
    expect(data.environment).toBe('dev');
    for (const id of VERSIONED) {
      const node = data.nodes.find((n) => n.uniqueId === id)!;
      const fingerprint = dev.fingerprints[id]!;
      expect(node.version, id).toEqual({ fingerprint, table: dev.tables[fingerprint] });
      expect(node.relation, id).toMatch(/^"analytics__dev"\./);
      expect(node.stats?.relationType, id).toBe('view');
    }
    expect(data.nodes.find((n) => n.uniqueId === 'model.test_project.stg_orders')!.version).toBeUndefined();
    // The catalog is dev's views, and the column lineage runs through them.
    const catalog = JSON.parse(project.read('target/catalog.json')) as { metadata: { environment?: string }; nodes: Record<string, { metadata: { schema: string } }> };
    expect(catalog.metadata.environment).toBe('dev');
    expect(Object.values(catalog.nodes).map((node) => node.metadata.schema)).toEqual(VERSIONED.map(() => 'analytics__dev'));
    const lineage = JSON.parse(project.read('target/lineage.json')) as ProjectLineage;
    expect(lineage['model.test_project.customer_totals']!.columns.total_cents).toEqual({ upstream: [{ node: 'model.test_project.orders', column: 'amount' }] });

    // Without --env, the default environment: prod's versions.
    await succeeds(project, 'docs', 'generate');
    const prodData = readDocsData(project);
    expect(prodData.environment).toBe('prod');
    expect(prodData.nodes.find((n) => n.uniqueId === 'model.test_project.customer_totals')!.version?.fingerprint).toBe(prod.fingerprints['model.test_project.customer_totals']);
    expect(manifestFingerprints(readManifest(project))).toEqual(prod.fingerprints);

    // compile opens no database for this: the default environment's views, without fingerprints.
    await succeeds(project, 'compile');
    manifest = readManifest(project);
    expect(manifest.metadata.environment).toBe('prod');
    expect(manifestFingerprints(manifest)).toEqual({});
  });

  it('docs generate --env is refused in a project without virtual environments', async () => {
    const project = makeProject({ 'models/one.sql': 'select 1 as one' }, backend);
    const result = await project.run('docs', 'generate', '--env', 'dev');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--env dev: this project has no virtual environments/);
  });
});
