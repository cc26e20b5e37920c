import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

interface ManifestNode {
  config: Record<string, unknown>;
  schema: string;
  alias: string;
  description: string;
}

function manifestNode(read: (path: string) => string, name: string): ManifestNode {
  return (JSON.parse(read('target/manifest.json')) as { nodes: Record<string, ManifestNode> }).nodes[`model.test_project.${name}`]!;
}

describe('project configuration', () => {
  it('merges config as dbt does: project file < property file < in-file config; tags accumulate', async () => {
    const project = makeProject({
      'tsdbt_project.yml': `name: test_project
profile: test
models:
  test_project:
    +materialized: table
    +tags: [everything]
    marts:
      +schema: marts
      +tags: nightly
      +meta: {owner: finance}
`,
      'models/marts/orders.sql': '{{config alias="orders_v2" tags="hourly"}}\nselect 1 as id',
      'models/marts/orders.yml': 'version: 2\nmodels:\n  - name: orders\n    description: Orders.\n    config:\n      materialized: view\n      meta: {tier: gold}\n',
      'models/other.sql': 'select 1 as id',
    });
    expect((await project.run('compile')).code).toBe(0);
    const orders = manifestNode(project.read, 'orders');
    expect(orders.config).toMatchObject({ materialized: 'view', schema: 'marts', alias: 'orders_v2', tags: ['everything', 'nightly', 'hourly'], meta: { owner: 'finance', tier: 'gold' } });
    expect(orders).toMatchObject({ schema: 'public_marts', alias: 'orders_v2', description: 'Orders.' });
    expect(manifestNode(project.read, 'other').config).toMatchObject({ materialized: 'table', tags: ['everything'] });
  });

  it('disables models with enabled: false, and a ref to one says so', async () => {
    const project = makeProject({
      'tsdbt_project.yml': 'name: test_project\nmodels:\n  test_project:\n    legacy:\n      +enabled: false\n',
      'models/legacy/old.sql': 'select 1 as id',
      'models/new.sql': 'select * from {{ref "old"}}',
    });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("refs 'old', which is disabled");
  });

  it('SQL macros are partials with hash arguments; TypeScript macros are helpers', async () => {
    const project = makeProject({
      'macros/cents_to_dollars.sql': '({{column}} / 100.0)::numeric(16, {{#if scale}}{{scale}}{{else}}2{{/if}})',
      'macros/sql_helpers.ts': `import { quote } from './quoting';\nexport function in_list(...args: unknown[]): string {\n  const values = args.slice(0, -1) as string[];\n  return values.map(quote).join(', ');\n}\n`,
      'macros/quoting.ts': "export const quote = (value: string): string => `'${value.replace(/'/g, \"''\")}'`;\n",
      'models/m.sql': "select {{> cents_to_dollars column=\"amount\" scale=4}} as dollars\nfrom t where status in ({{in_list \"paid\" \"it's\"}})",
    });
    const result = await project.run('compile');
    expect(result.stderr).toBe('');
    expect(project.read('target/compiled/test_project/models/m.sql')).toBe("select (amount / 100.0)::numeric(16, 4) as dollars\nfrom t where status in ('paid', 'it''s')\n");
  });

  it('a TypeScript macro that does not compile is reported at its file and line', async () => {
    const project = makeProject({ 'macros/broken.ts': 'export function x( {\n', 'models/m.sql': 'select 1' });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: macros\/broken\.ts:\d+:\d+: cannot load macros\/broken\.ts/);
  });
});

describeBackends('tsdbt debug', (backend) => {
  it('shows the target and tests the connection', async () => {
    const project = makeProject({ 'models/m.sql': 'select 1' }, backend);
    const result = await project.run('debug');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`type: ${backend.name}`);
    expect(result.stdout).toMatch(/connection: OK \(server_version_num \d+\)/);
    expect(result.stdout).toContain(`dialect: ${backend.name} (the target's type)`);
  });
});
