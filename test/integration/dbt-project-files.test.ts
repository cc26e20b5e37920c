/**
 * A dbt user's files read as they are: dbt_project.yml (with dbt's own keys), ~/.dbt/profiles.yml, docs blocks and
 * `{{ doc() }}` in descriptions, and generic tests' unique ids equal to dbt's.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import type { DocsData } from '../../src/docs/docs-data.js';
import { makeProject, spawnCli, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

const DBT_PROJECT = `name: 'jaffle'
version: '1.0.0'
config-version: 2
require-dbt-version: [">=1.5.0", "<2.0.0"]
profile: 'test'

model-paths: ["models"]
seed-paths: ["seeds"]
docs-paths: ["models", "docs"]
clean-targets: ["target", "dbt_packages"]

dispatch:
  - macro_namespace: dbt_utils
    search_order: [jaffle, dbt_utils]
query-comment: "run by {{ invocation_id }}"

models:
  jaffle:
    +materialized: table
data_tests:
  jaffle:
    staging:
      +severity: warn
`;

const FILES: Record<string, string> = {
  'dbt_project.yml': DBT_PROJECT,
  'seeds/raw_orders.csv': 'id,status,customer\n1,placed,ann\n2,shipped,bob\n',
  'models/orders.sql': 'select id, status, customer from {{ref "raw_orders"}}',
  'models/docs.md': `{% docs __overview__ %}
# Jaffle

The **shop's** analytics.
{% enddocs %}

{% docs orders_status %}
One of:

| status | meaning |
|--------|---------|
| placed | not yet shipped |
{% enddocs %}
`,
  'docs/more.md': '{%- docs raw_orders -%}\n  The orders, as the shop exports them.\n{%- enddocs -%}\n',
  'models/staging/schema.yml': `version: 2
sources:
  - name: shop
    description: '{{ doc("raw_orders") }}'
    tables:
      - name: exports
        description: "Exports: {{doc 'raw_orders'}}"
models:
  - name: orders
    description: "{{ doc('jaffle', 'raw_orders') }} Cleaned."
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: status
        description: '{{ doc("orders_status") }}'
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped', 'completed', 'return_pending', 'returned']
seeds:
  - name: raw_orders
    description: '{{ doc("raw_orders") }}'
`,
};

/** A project with dbt_project.yml and no tsdbt_project.yml. */
function dbtProject(backend: Parameters<typeof makeProject>[1]): TestProject {
  const project = makeProject(FILES, backend);
  project.remove('tsdbt_project.yml');
  return project;
}

function readDocsData(project: TestProject): DocsData {
  const sandbox: { window: { __TSDBT_DOCS__?: DocsData } } = { window: {} };
  runInNewContext(project.read('target/docs/data.js'), sandbox);
  return sandbox.window.__TSDBT_DOCS__!;
}

interface Manifest {
  nodes: Record<string, { fqn: string[]; config: { severity?: string }; description: string; columns: Record<string, { description: string }>; alias: string; test_metadata?: { name: string; namespace: string | null; kwargs: Record<string, unknown> } }>;
  sources: Record<string, { description: string }>;
  docs: Record<string, { block_contents: string; original_file_path: string }>;
}

describeBackends('a dbt project read as it is', (backend) => {
  it('reads dbt_project.yml, notes its dbt-only keys on stderr, resolves doc() and gives tests dbt\'s unique ids', async () => {
    const project = dbtProject(backend);
    const build = await project.run('build');
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).not.toContain('dbt_project.yml');
    const notes = build.stderr.split('\n');
    expect(notes.filter((line) => line.includes("reading dbt's dbt_project.yml, as there is no tsdbt_project.yml"))).toHaveLength(1);
    expect(notes).toContainEqual(expect.stringContaining("dbt_project.yml:4: 'require-dbt-version' is dbt's and changes nothing here"));
    expect(notes).toContainEqual(expect.stringContaining("dbt_project.yml:12: 'dispatch' is dbt's"));
    expect(notes).toContainEqual(expect.stringContaining("dbt_project.yml:15: 'query-comment' is dbt's"));
    expect(build.stdout).toMatch(/Found 1 model, 1 seed, 3 data tests, 1 source/);

    const manifest = JSON.parse(project.read('target/manifest.json')) as Manifest;
    const orders = manifest.nodes['model.jaffle.orders']!;
    expect(orders.description).toBe('The orders, as the shop exports them. Cleaned.');
    expect(orders.columns.status!.description).toBe('One of:\n\n| status | meaning |\n|--------|---------|\n| placed | not yet shipped |');
    expect(manifest.nodes['seed.jaffle.raw_orders']!.description).toBe('The orders, as the shop exports them.');
    expect(manifest.sources['source.jaffle.shop.exports']!.description).toBe('Exports: The orders, as the shop exports them.');
    expect(manifest.docs['doc.jaffle.raw_orders']).toMatchObject({ original_file_path: 'docs/more.md', block_contents: 'The orders, as the shop exports them.' });

    // dbt's ids, worked out by hand from its rule (see test/unit/test-names.test.ts); a long name's relation is dbt's
    // short one: its first 30 characters and the md5 of the whole.
    const tests = Object.keys(manifest.nodes).filter((id) => id.startsWith('test.')).sort();
    expect(tests).toEqual([
      'test.jaffle.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3',
      'test.jaffle.not_null_orders_id.84ef11d8fe',
      'test.jaffle.unique_orders_id.1360ecc70e',
    ].sort());
    // dbt's fqn (the property file's folders), which the project file's data_tests: tree configures.
    expect(manifest.nodes['test.jaffle.unique_orders_id.1360ecc70e']).toMatchObject({ fqn: ['jaffle', 'staging', 'unique_orders_id'], config: { severity: 'warn' } });
    const accepted = manifest.nodes[tests[0]!]!;
    expect(accepted.alias).toBe('accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758');
    expect(accepted.test_metadata).toEqual({
      name: 'accepted_values',
      namespace: null,
      kwargs: { values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'], column_name: 'status', model: "{{ get_where_subquery(ref('orders')) }}" },
    });

    // A changed block reaches the descriptions of models the partial parse would otherwise reuse.
    project.write('docs/more.md', '{% docs raw_orders %}Orders, as exported.{% enddocs %}');
    expect((await project.run('compile')).code).toBe(0);
    expect((JSON.parse(project.read('target/manifest.json')) as Manifest).nodes['model.jaffle.orders']!.description).toBe('Orders, as exported. Cleaned.');

    // debug names the file read, and lists the notes.
    const debug = await project.run('debug');
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stdout).toContain(`project: jaffle (${project.dir}/dbt_project.yml)`);
    expect(debug.stdout).toContain("note: dbt_project.yml:4: 'require-dbt-version' is dbt's");

    // The docs site's home page shows __overview__.
    const generated = await project.run('docs', 'generate');
    expect(generated.code, generated.stdout + generated.stderr).toBe(0);
    const data = readDocsData(project);
    expect(data.overview).toBe("# Jaffle\n\nThe **shop's** analytics.");
    expect(data.nodes.find((node) => node.uniqueId === 'model.jaffle.orders')!.columns.find((column) => column.name === 'status')!.description).toContain('| placed | not yet shipped |');
  });

  it('an unknown doc name is a config error at its file and line', async () => {
    const project = dbtProject(backend);
    project.write('models/staging/schema.yml', FILES['models/staging/schema.yml']!.replace('{{ doc("orders_status") }}', '{{ doc("order_status") }}'));
    const compiled = await project.run('compile');
    expect(compiled.code).toBe(2);
    expect(compiled.stderr).toContain("models/staging/schema.yml:15:22: doc('order_status') names no docs block");
    expect(compiled.stderr).toContain("did you mean 'orders_status'");
  });

  it('finds ~/.dbt/profiles.yml when tsdbt has none', async () => {
    const project = dbtProject(backend);
    const home = temporaryDir('tsdbt-home-');
    mkdirSync(join(home, '.dbt'));
    renameSync(join(project.dir, 'profiles.yml'), join(home, '.dbt', 'profiles.yml'));
    const run = await spawnCli(['build', '--project-dir', project.dir], { env: { HOME: home, TSDBT_PROFILES_DIR: '', DBT_PROFILES_DIR: '' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain('No profile found');
    expect(await project.query('select count(*)::int as n from analytics.orders')).toEqual([{ n: 2 }]);
  });
});
