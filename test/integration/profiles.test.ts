import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, PostgresTestDatabase } from '../helpers/backends.js';
import { makeProject, spawnCli, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

const cli = (project: TestProject, ...args: string[]) => [...args, '--project-dir', project.dir, '--profiles-dir', project.dir];

/** Every file the CLI may have written in the project (artifacts, logs), the profile itself excepted. */
function writtenFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'profiles.yml')
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

describeBackends('profiles.yml through the CLI', (backend) => {
  it('renders only the selected target: an unset env_var in another one does not stop a run', async () => {
    const project = makeProject({ 'models/m.sql': 'select 1 as id' }, backend);
    project.write('profiles.yml', `${project.read('profiles.yml')}    b:\n      type: postgres\n      password: "{{env_var \\"TSDBT_TEST_UNSET_B\\"}}"\n`);
    const run = await spawnCli(cli(project, 'run', '--target', 'dev'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await project.query('select id from analytics.m')).toEqual([{ id: 1 }]);
    const selected = await spawnCli(cli(project, 'run', '--target', 'b'));
    expect(selected.code).toBe(2);
    const line = project.read('profiles.yml').split('\n').findIndex((text) => text.includes('TSDBT_TEST_UNSET_B')) + 1;
    expect(selected.stderr).toContain(`profiles.yml:${line}:18: test.outputs.b.password: environment variable 'TSDBT_TEST_UNSET_B' is not set and env_var gives no default`);
  });
});

describe('property files read env_var after YAML', () => {
  it('renders each value that calls env_var (escaped quotes included), keeps other templates, and places errors at the key', async () => {
    const project = makeProject({
      'models/m.sql': 'select 1 as id',
      'models/schema.yml': `version: 2
models:
  - name: m
    description: "Owned by {{env_var \\"TSDBT_TEST_OWNER\\" \\"the \\\\\\"data\\\\\\" team\\"}}"
    config:
      post_hook: "grant select on {{this}} to {{env_var 'TSDBT_TEST_ROLE' 'reader'}}"
    columns:
      - name: id
        description: "{{env_var 'TSDBT_TEST_UNSET_DESC'}}"
`,
    });
    const unset = await spawnCli(['compile', '--project-dir', project.dir]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("models/schema.yml:9:23: models.0.columns.0.description: environment variable 'TSDBT_TEST_UNSET_DESC' is not set");
    const compiled = await spawnCli(['compile', '--project-dir', project.dir], { env: { TSDBT_TEST_UNSET_DESC: 'the key' } });
    expect(compiled.code, compiled.stderr).toBe(0);
    const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { description: string; config: { post_hook: string[] }; columns: Record<string, { description: string }> }> };
    const model = manifest.nodes['model.test_project.m']!;
    expect(model.description).toBe('Owned by the "data" team');
    expect(model.config.post_hook).toEqual(['grant select on {{this}} to reader']);
    expect(model.columns.id!.description).toBe('the key');
  });
});

describe('secrets of profiles.yml in error output', () => {
  const SECRET = 'S3cretPw-cli';
  const ENV_SECRET = 'Env-S3cret-cli';
  const head = 'test:\n  target: a\n  outputs:\n';
  const cases: Array<{ kind: string; profiles: string; target?: string; message: string }> = [
    {
      kind: 'an unset env_var in the target beside one holding a password (the issue)',
      profiles: `${head}    a:\n      type: postgres\n      user: u\n      password: ${SECRET}\n      dbname: d\n      schema: s\n    b:\n      type: postgres\n      user: u\n      password: "{{env_var 'UNSET_VAR_X'}}"\n      dbname: d\n      schema: s\n`,
      target: 'b',
      message: "test.outputs.b.password: environment variable 'UNSET_VAR_X' is not set",
    },
    {
      kind: 'malformed YAML near a password',
      profiles: `${head}    a:\n      type: postgres\n      password: ${SECRET}\n      dbname postgres\n      schema: s\n`,
      message: 'malformed YAML',
    },
    {
      kind: 'malformed YAML in a password',
      profiles: `${head}    a:\n      type: postgres\n      password: "${SECRET}\n      schema: s\n`,
      message: 'malformed YAML',
    },
    {
      kind: 'a template error in a password',
      profiles: `${head}    a:\n      type: postgres\n      user: u\n      password: "{{env_var 'PW' '${SECRET}'"\n      schema: s\n`,
      message: 'test.outputs.a.password: template syntax error',
    },
    {
      kind: 'a value of the wrong type',
      profiles: `${head}    a: {type: postgres, user: u, pass: ${SECRET}, dbname: d, schema: s, threads: many}\n`,
      message: 'wrong type at test.outputs.a.threads',
    },
    {
      kind: 'an unknown key beside secrets',
      profiles: `${head}    a:\n      type: postgres\n      user: u\n      dbname: d\n      schema: s\n      api_token: ${SECRET}\n      private_key: |\n        ${SECRET}\n      passwrd: ${SECRET}\n`,
      message: "unknown key 'api_token'",
    },
    {
      kind: 'a secret variable read where its value is invalid',
      profiles: `${head}    a:\n      type: postgres\n      user: u\n      port: "{{env_var 'DBT_ENV_SECRET_PORT'}}"\n      dbname: d\n      schema: s\n`,
      message: 'wrong type at test.outputs.a.port',
    },
  ];

  it.each(cases)('$kind: debug, run and run --log-format json exit 2 and never show it', async ({ profiles, target, message }) => {
    const project = makeProject({ 'models/m.sql': 'select 1 as id', 'profiles.yml': profiles });
    const targetArgs = target ? ['--target', target] : [];
    for (const command of [['debug'], ['run'], ['run', '--log-format', 'json']]) {
      const result = await spawnCli(cli(project, ...command, ...targetArgs), { env: { DBT_ENV_SECRET_PORT: ENV_SECRET } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      // A code frame was shown, with what it masked.
      expect(result.stderr).toMatch(/\n> +\d+ \|/);
      for (const output of [result.stdout, result.stderr, ...writtenFiles(project.dir)]) {
        expect(output).not.toContain(SECRET);
        expect(output).not.toContain(ENV_SECRET);
      }
    }
  });
});

describe.skipIf(!postgresAvailable)('a password equal to the user name [postgres]', () => {
  const database = new PostgresTestDatabase();
  beforeAll(() => database.create());
  afterAll(() => database.drop());

  it('the banner, debug and connection errors name the user in clear; the password field is shown nowhere', async () => {
    const project = makeProject({ 'models/m.sql': 'select 1 as id' });
    // Trust authentication accepts any password: user = password = postgres connects.
    const output = (dbname: string) => `      type: postgres\n      host: 127.0.0.1\n      user: postgres\n      password: postgres\n      dbname: ${dbname}\n      schema: analytics\n`;
    project.write('profiles.yml', `test:\n  target: dev\n  outputs:\n    dev:\n${output(database.name)}    missing:\n${output('no_such_database_x')}`);
    const run = await spawnCli(cli(project, 'run'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Running with PostgreSQL at 127.0.0.1:5432, database ${database.name}, user postgres, target 'dev'`);
    const json = await spawnCli(cli(project, 'run', '--log-format', 'json'));
    expect(json.stdout).toContain(`database ${database.name}, user postgres`);
    const debug = await spawnCli(cli(project, 'debug'));
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stdout).toContain('  user: postgres');
    expect(debug.stdout).not.toMatch(/password|\*\*\*\*\*/);
    const unreachable = await spawnCli(cli(project, 'debug', '--target', 'missing'));
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('(database no_such_database_x, user postgres): database "no_such_database_x" does not exist');
    expect(unreachable.stderr).not.toContain('*****');
  });
});
