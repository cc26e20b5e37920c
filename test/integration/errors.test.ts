import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, spawnCli } from '../helpers/project.js';

/** Each of these is a clear message with file, line and hint, and exit code 2: never a stack trace. */
describe('errors a user makes', () => {
  it('unknown ref: names the model, the place and the closest names', async () => {
    const project = makeProject({
      'models/stg_orders.sql': 'select 1 as id',
      'models/orders.sql': 'select *\nfrom {{ref "stg_ordres"}}',
    });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: models/orders.sql:2:6: model 'orders' refs 'stg_ordres', which does not exist");
    expect(result.stderr).toContain("hint: did you mean 'stg_orders'?");
    expect(result.stderr).toContain('> 2 | from {{ref "stg_ordres"}}');
  });

  it('cycle: prints the cycle path', async () => {
    const project = makeProject({
      'models/a.sql': 'select * from {{ref "c"}}',
      'models/b.sql': 'select * from {{ref "a"}}',
      'models/c.sql': 'select * from {{ref "b"}}',
      'models/d.sql': 'select * from {{ref "a"}}',
    });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the models form a cycle: a -> b -> c -> a');
  });

  it('malformed YAML: file, line and column', async () => {
    const project = makeProject({ 'models/props.yml': 'version: 2\nmodels:\n  - name: a\n    description: [unclosed\n' });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: models\/props\.yml:\d+:\d+: malformed YAML/);
  });

  it('unknown config key in the project file: key path, line and a hint', async () => {
    const project = makeProject({
      'tsdbt_project.yml': 'name: test_project\nprofile: test\nmodels:\n  test_project:\n    +materialised: table\n',
    });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: tsdbt_project.yml:5:5: unknown config key '+materialised' at models.test_project.+materialised");
    expect(result.stderr).toContain("hint: did you mean 'materialized'?");
  });

  it('unknown top-level key and wrong type in the project file', async () => {
    const unknown = makeProject({ 'tsdbt_project.yml': 'name: test_project\nmodel-path: [models]\n' });
    const a = await unknown.run('compile');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("tsdbt_project.yml:2:1: unknown key 'model-path'");
    expect(a.stderr).toContain("did you mean 'model-paths'");
    const wrongType = makeProject({ 'tsdbt_project.yml': 'name: test_project\nmodel-paths: models\n' });
    const b = await wrongType.run('compile');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('tsdbt_project.yml:2:14: wrong type at model-paths: expected array, got string "models"');
    expect(b.stderr).toContain('hint: write a list, such as [models]');
  });

  it('unknown config key and unknown materialization in a model', async () => {
    const project = makeProject({ 'models/m.sql': '\n{{config materalized="table"}}\nselect 1' });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("models/m.sql:2: unknown key 'materalized' in config()");
    project.write('models/m.sql', '{{config materialized="tabel"}}\nselect 1');
    const second = await project.run('compile');
    expect(second.stderr).toContain("unknown materialization 'tabel'");
    expect(second.stderr).toContain("did you mean 'table'?");
  });

  it('template syntax error: file, line and a code frame', async () => {
    const project = makeProject({ 'models/m.sql': 'select 1\n{{#if (var "x" true)}}\nwhere true\n' });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: models\/m\.sql:4(:\d+)?: template syntax error: unexpected end of file/);
  });

  it('Jinja left in a model, a test or a macro is an error at its place with the Handlebars form, never SQL', async () => {
    const project = makeProject({
      'models/stg_payments.sql': 'select 1 as id, 100 as amount',
      'models/orders.sql': "select\n  {% for m in ['card'] %}sum(amount) as {{m}}_amount,{% endfor %}\n  1 as id\nfrom {{ref \"stg_payments\"}}",
    });
    const loop = await project.run('compile');
    expect(loop.code).toBe(2);
    expect(loop.stderr).toContain('error: models/orders.sql:2:3: Jinja is not a tsdbt template: {% for %}');
    expect(loop.stderr).toContain('hint: write {{#each (list "a" "b") as |item|}}…{{/each}}; tsdbt import dbt converts');
    expect(loop.stderr).toContain("> 2 |   {% for m in ['card'] %}");
    project.write('models/orders.sql', "select id\nfrom {{ ref('stg_payments') }} {# payments #}");
    const call = await project.run('compile');
    expect(call.code).toBe(2);
    expect(call.stderr).toContain('error: models/orders.sql:2:9: Jinja is not a tsdbt template: the call ref(…)');
    expect(call.stderr).toContain('hint: write {{ref "stg_payments"}}');
    project.write('models/orders.sql', 'select id from {{ref "stg_payments"}}');
    project.write('tests/no_refunds.sql', 'select * from {{ref "orders"}}\n{# a comment dbt drops #}\nwhere false');
    const comment = await project.run('compile');
    expect(comment.code).toBe(2);
    expect(comment.stderr).toContain('error: tests/no_refunds.sql:2:1: Jinja is not a tsdbt template: {# comment #}');
    expect(comment.stderr).toContain('hint: write {{!-- comment --}}');
    project.write('tests/no_refunds.sql', 'select * from {{ref "orders"}} where false');
    project.write('macros/cents.sql', "{% macro cents(column) %}{{ column }} / 100{% endmacro %}");
    const macro = await project.run('compile');
    expect(macro.code).toBe(2);
    expect(macro.stderr).toContain('error: macros/cents.sql:1:1: Jinja is not a tsdbt template: {% macro %}');
  });

  it('an unknown variable is an error at its place, not an empty string', async () => {
    const project = makeProject({ 'models/m.sql': 'select\n  {{payment_method}} as method' });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: models/m.sql:2:3: unknown variable 'payment_method'");
    expect(result.stderr).toContain('{{var "payment_method"}}');
  });

  it('unset var and unset env var name the call', async () => {
    const project = makeProject({ 'models/m.sql': 'select {{var "start_date"}}' });
    const result = await project.run('compile');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("models/m.sql:1:8: var 'start_date' is not set");
  });

  it('unreachable database: host and port named, password never shown', async () => {
    const project = makeProject({
      'models/m.sql': 'select 1',
      'profiles.yml': 'test:\n  target: dev\n  outputs:\n    dev: {type: postgres, host: 127.0.0.1, port: 1, user: postgres, pass: "s3cret-Passw0rd", dbname: duel, schema: dbt, threads: 1}\n',
    });
    const result = await project.run('run', '--profiles-dir', project.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot connect to PostgreSQL at 127.0.0.1:1 (database duel, user postgres): connection refused');
    expect(result.stderr + result.stdout).not.toContain('s3cret-Passw0rd');
    expect(project.read('target/manifest.json')).not.toContain('s3cret-Passw0rd');
  });

  it('an option the command does not know stops it before it reads or writes anything', async () => {
    const project = makeProject({ 'models/m.sql': 'select 1 as id' });
    const listed = await project.run('ls', '--bogus-option');
    expect(listed.code).toBe(2);
    expect(listed.stdout).toBe('');
    expect(listed.stderr).toContain('bogus-option');
    const compiled = await project.run('compile', '--selct', 'm');
    expect(compiled.code).toBe(2);
    expect(existsSync(join(project.dir, 'target'))).toBe(false);
  });

  it('usage errors exit 2 from the real process, with no stack trace', async () => {
    const result = await spawnCli(['run', '--no-such-option']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown argument');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const missing = await spawnCli(['compile', '--project-dir', '/nonexistent/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no tsdbt_project.yml in /nonexistent/dir');
  });
});
