import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../src/config/profiles.js';
import { TsdbtError } from '../../src/errors.js';
import { redact } from '../../src/redact.js';

function folderWith(profiles: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbt-profiles-'));
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

  it('falls back to embedded PGlite (schema public) when no profiles.yml exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdbt-empty-'));
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
});
