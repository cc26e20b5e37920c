import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTarget, type ProfileOptions } from '../../src/config/profiles.js';
import { maskSecretValues } from '../../src/config/secret-frames.js';
import { codeFrame, TsdbtError } from '../../src/core/errors.js';
import { redact, registerSecret, registerShownValues } from '../../src/redact.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

function folderWith(profiles: string): string {
  const dir = temporaryDir('tsdbt-profiles-');
  writeFileSync(join(dir, 'profiles.yml'), profiles);
  return dir;
}

const duel = `duel:
  outputs:
    dev: {type: postgres, host: 127.0.0.1, port: 5432, user: postgres, pass: pass, dbname: duel, schema: dbt, threads: 1}
  target: dev
`;

describe('profiles', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("reads dbt's profile format unchanged (pass, dbname)", () => {
    const dir = folderWith(duel);
    const { target, origin } = resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'duel' });
    expect(target).toMatchObject({ type: 'postgres', name: 'dev', host: '127.0.0.1', port: 5432, user: 'postgres', password: 'pass', database: 'duel', schema: 'dbt', threads: 1 });
    expect(origin).toEqual({ kind: 'profiles', file: join(dir, 'profiles.yml') });
  });

  it('renders env_var with defaults, and registers the password for redaction', () => {
    process.env.TSDBT_TEST_SECRET = 'very-secret-value';
    const dir = folderWith(`p:
  target: "{{env_var 'TSDBT_TEST_TARGET' 'prod'}}"
  outputs:
    prod:
      type: postgres
      host: "{{env_var 'TSDBT_TEST_HOST' 'db.internal'}}"
      user: me
      password: "{{env_var 'TSDBT_TEST_SECRET'}}"
      dbname: warehouse
      schema: analytics
      threads: 8
`);
    const { target } = resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'p', threads: 2 });
    expect(target).toMatchObject({ name: 'prod', host: 'db.internal', password: 'very-secret-value', threads: 2 });
    expect(redact('failed with very-secret-value inside')).toBe('failed with ***** inside');
  });

  it('an unset env_var without default is an error naming the file and line', () => {
    const dir = folderWith("p:\n  target: dev\n  outputs:\n    dev:\n      type: pglite\n      path: \"{{env_var 'TSDBT_TEST_UNSET_PATH'}}\"\n");
    expect(() => resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' })).toThrowError(/TSDBT_TEST_UNSET_PATH' is not set/);
    try {
      resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' });
    } catch (error) {
      expect((error as TsdbtError).location).toMatchObject({ file: join(dir, 'profiles.yml'), line: 6 });
    }
  });

  it('searches --profiles-dir, then TSDBT_PROFILES_DIR, then the project', () => {
    const project = folderWith('p:\n  target: a\n  outputs:\n    a: {type: pglite, schema: from_project}\n');
    const env = folderWith('p:\n  target: a\n  outputs:\n    a: {type: pglite, schema: from_env}\n');
    const flag = folderWith('p:\n  target: a\n  outputs:\n    a: {type: pglite, schema: from_flag}\n');
    expect(resolveTarget({ projectRoot: project, projectProfile: 'p' }).target.schema).toBe('from_project');
    process.env.TSDBT_PROFILES_DIR = env;
    expect(resolveTarget({ projectRoot: project, projectProfile: 'p' }).target.schema).toBe('from_env');
    expect(resolveTarget({ projectRoot: project, projectProfile: 'p', profilesDir: flag }).target.schema).toBe('from_flag');
  });

  it("then dbt's: DBT_PROFILES_DIR after TSDBT_PROFILES_DIR, both before the project", () => {
    const project = folderWith('p:\n  target: a\n  outputs:\n    a: {type: pglite, schema: from_project}\n');
    delete process.env.TSDBT_PROFILES_DIR;
    process.env.DBT_PROFILES_DIR = folderWith('p:\n  target: a\n  outputs:\n    a: {type: pglite, schema: from_dbt_env}\n');
    expect(resolveTarget({ projectRoot: project, projectProfile: 'p' }).target.schema).toBe('from_dbt_env');
    process.env.TSDBT_PROFILES_DIR = folderWith('p:\n  target: a\n  outputs:\n    a: {type: pglite, schema: from_tsdbt_env}\n');
    expect(resolveTarget({ projectRoot: project, projectProfile: 'p' }).target.schema).toBe('from_tsdbt_env');
  });

  it('falls back to embedded PGlite (schema public) when no profiles.yml exists', () => {
    const dir = temporaryDir('tsdbt-empty-');
    mkdirSync(join(dir, 'home'));
    process.env.HOME = join(dir, 'home');
    delete process.env.TSDBT_PROFILES_DIR;
    const { target, origin } = resolveTarget({ projectRoot: dir, projectProfile: 'anything' });
    expect(target).toMatchObject({ type: 'pglite', schema: 'public', path: join(dir, '.tsdbt/pglite') });
    expect(origin.kind).toBe('embedded-default');
  });

  it('rejects unknown output keys, unknown targets and a named profile that is missing', () => {
    const typo = folderWith('p:\n  target: dev\n  outputs:\n    dev: {type: postgres, host: h, user: u, dbname: d, schema: s, treads: 4}\n');
    expect(() => resolveTarget({ projectRoot: typo, profilesDir: typo, projectProfile: 'p' })).toThrowError(/unknown key 'treads'/);
    const dir = folderWith(duel);
    expect(() => resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'duel', target: 'prod' })).toThrowError(/target 'prod' is not an output of profile 'duel'/);
    expect(() => resolveTarget({ projectRoot: dir, profilesDir: dir, profile: 'duell' })).toThrowError(/profile 'duell' is not in/);
  });

  it('parses YAML first: escaped quotes inside a double-quoted value, and single-quoted values, reach env_var intact', () => {
    process.env.TSDBT_TEST_PG_PASSWORD = 'from-the-env';
    process.env.TSDBT_TEST_PORT = '5433';
    const dir = folderWith(`p:
  target: dev
  outputs:
    dev:
      type: postgres
      host: '{{env_var ''TSDBT_TEST_UNSET_HOST'' "it''s.local"}}'
      port: "{{env_var \\"TSDBT_TEST_PORT\\"}}"
      user: me
      password: "{{env_var \\"TSDBT_TEST_PG_PASSWORD\\"}}"
      dbname: d
      schema: s
      threads: "{{env_var 'TSDBT_TEST_UNSET_THREADS' '3'}}"
      retries: "{{env_var 'TSDBT_TEST_UNSET_RETRIES' '2'}}"
`);
    const { target } = resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' });
    // Rendered text is coerced where the field is a number, as dbt reads a rendered port.
    expect(target).toMatchObject({ host: "it's.local", port: 5433, password: 'from-the-env', threads: 3, retries: 2 });
  });

  it('a template error in a value names the file, the line and column where it is written, and the key path', () => {
    const dir = folderWith(`p:
  target: dev
  outputs:
    dev:
      type: pglite
      path: "a\\"b{{env_var 'TSDBT_TEST_UNSET_PATH'}}"
      schema: "x'y{{env_var 'TSDBT_TEST_UNSET_SCHEMA'"
`);
    const error = failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' });
    expect(error.message).toBe("p.outputs.dev.path: environment variable 'TSDBT_TEST_UNSET_PATH' is not set and env_var gives no default");
    // Column 18 is the {{ after the escaped quote: `      path: "a\"b{{`.
    expect(error.location).toEqual({ file: join(dir, 'profiles.yml'), line: 6, column: 18 });
    process.env.TSDBT_TEST_UNSET_PATH = 'here';
    const syntax = failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' });
    expect(syntax.message).toMatch(/^p\.outputs\.dev\.schema: template syntax error/);
    expect(syntax.location).toMatchObject({ line: 7 });
    expect(syntax.hint).toMatch(/every \{\{ needs its \}\}/);
  });

  it('renders only the selected output: another output may read a variable unset here', () => {
    const dir = folderWith(`p:
  target: a
  outputs:
    a: {type: pglite, schema: sa}
    b:
      type: pglite
      schema: "{{env_var 'TSDBT_TEST_UNSET_B'}}"
      treads: 4
q:
  target: "{{env_var 'TSDBT_TEST_UNSET_Q'}}"
  outputs: {}
`);
    expect(resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' }).target.schema).toBe('sa');
    expect(resolveTarget({ projectRoot: dir, profilesDir: dir, projectProfile: 'p', target: 'a' }).target.schema).toBe('sa');
    const selected = failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'p', target: 'b' });
    expect(selected.message).toBe("p.outputs.b.schema: environment variable 'TSDBT_TEST_UNSET_B' is not set and env_var gives no default");
    expect(selected.location).toEqual({ file: join(dir, 'profiles.yml'), line: 7, column: 16 });
    process.env.TSDBT_TEST_UNSET_B = 'sb';
    expect(failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'p', target: 'b' }).message).toMatch(/unknown key 'treads'/);
    expect(failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'q' }).message).toMatch(/^q\.target: environment variable 'TSDBT_TEST_UNSET_Q'/);
  });

  it('an unquoted template, which YAML reads as a mapping, is an error whose hint says to quote it', () => {
    const dir = folderWith("p:\n  target: a\n  outputs:\n    a:\n      type: pglite\n      schema: {{env_var 'TSDBT_TEST_SCHEMA' 's'}}\n");
    const error = failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'p' });
    expect(error.message).toBe('wrong type at p.outputs.a.schema: expected string, got a mapping');
    expect(error.location).toMatchObject({ line: 6, column: 15 });
    expect(error.hint).toBe(`a template is a quoted YAML string, as in dbt: schema: "{{env_var 'NAME'}}"`);
  });

  describe('code frames never show a secret', () => {
    const SECRET = 'S3cretPw-unit';
    const cases: Array<[string, string, ProfileOptions['target']]> = [
      ['malformed YAML near a password', `p:\n  target: a\n  outputs:\n    a:\n      type: postgres\n      password: ${SECRET}\n      dbname postgres\n`, 'a'],
      ['malformed YAML on the password line', `p:\n  target: a\n  outputs:\n    a:\n      type: postgres\n      password: "${SECRET}\n      user: u\n`, 'a'],
      ['a password without its colon', `p:\n  target: a\n  outputs:\n    a:\n      type: postgres\n      password ${SECRET}\n      user: [u\n`, 'a'],
      ['an unset env_var beside a password', `p:\n  target: a\n  outputs:\n    b:\n      password: ${SECRET}\n    a:\n      type: postgres\n      password: "{{env_var 'TSDBT_TEST_UNSET_PW'}}"\n`, 'a'],
      ['an env_var whose default is the password', `p:\n  target: a\n  outputs:\n    a:\n      type: postgres\n      user: "{{env_var 'TSDBT_TEST_UNSET_USER'}}"\n      password: "{{env_var 'TSDBT_TEST_UNSET_PW' '${SECRET}'}}"\n`, 'a'],
      ['a value of the wrong type', `p:\n  target: a\n  outputs:\n    a: {type: postgres, user: u, pass: ${SECRET}, dbname: d, schema: s, threads: many}\n`, 'a'],
      ['an unknown key', `p:\n  target: a\n  outputs:\n    a:\n      type: postgres\n      api_token: ${SECRET}\n      private_key: |\n        ${SECRET}\n      passwrd: ${SECRET}\n`, 'a'],
      ['a list where a number belongs, beside a password', `p:\n  target: a\n  outputs:\n    a:\n      type: postgres\n      user: u\n      dbname: d\n      schema: s\n      threads: [1, 2]\n      password: ${SECRET}\n`, 'a'],
    ];
    it.each(cases)('%s', (_kind, profiles, targetName) => {
      const dir = folderWith(profiles);
      const error = failure({ projectRoot: dir, profilesDir: dir, projectProfile: 'p', target: targetName });
      expect(error.source, error.message).toBeDefined();
      expect(error.location?.line, error.message).toBeDefined();
      const shown = [error.message, error.hint, codeFrame(error.source!, error.location!.line!, error.location!.column, 100)].join('\n');
      expect(shown).toContain('*****');
      expect(shown).not.toContain(SECRET);
    });

    it('values are masked exactly where the file parses, and a variable name alone stays', () => {
      const text = `p:
  outputs:
    a: {type: postgres, user: u, pass: hunter2, dbname: d}
    b:
      password: "{{env_var 'PGPASSWORD'}}"
      token: "{{env_var 'TOKEN' 'hunter2'}}"
      keyfile_json:
        private_key: hunter2
      client_secret: >-
        hunter2
        hunter2
      user: u
`;
      expect(maskSecretValues(text)).toBe(`p:
  outputs:
    a: {type: postgres, user: u, pass: *****, dbname: d}
    b:
      password: "{{env_var 'PGPASSWORD'}}"
      token: *****
      keyfile_json:
        *****
      client_secret: *****
        *****
        *****
      user: u
`);
    });
  });

  it("masks the password everywhere but inside the values tsdbt prints by design (user = password)", () => {
    registerSecret('dbowner-x9');
    registerShownValues(['dbowner-x9', 'dbowner-x9_warehouse']);
    expect(redact('PostgreSQL at h:5432, database dbowner-x9_warehouse, user dbowner-x9')).toBe('PostgreSQL at h:5432, database dbowner-x9_warehouse, user dbowner-x9');
    registerSecret('own');
    expect(redact('user dbowner-x9 owns it')).toBe('user dbowner-x9 *****s it');
    registerSecret('not-shown-secret');
    expect(redact('dbowner-x9 said not-shown-secret')).toBe('dbowner-x9 said *****');
  });
});

function failure(options: ProfileOptions): TsdbtError {
  try {
    resolveTarget(options);
  } catch (error) {
    if (error instanceof TsdbtError) return error;
    throw error;
  }
  throw new Error('resolveTarget did not fail');
}
