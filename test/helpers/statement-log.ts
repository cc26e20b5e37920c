/** Reading a statement log (`--log-sql FILE`): the SQL of each entry, and the kinds of statement a check counts. */
import { readFileSync } from 'node:fs';

/** An entry starts with its comment line `-- <ISO time> c<session> ...` (src/adapters/statement-log.ts). */
const ENTRY_START = /\n\n(?=-- \d{4}-\d\d-\d\dT)/;

/** The SQL of each entry of the log, in order, its comment lines (time, session, parameters) left out. */
export function loggedStatements(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(ENTRY_START)
    .map((entry) => entry.replace(/^--.*\n?/gm, '').trim())
    .filter((sql) => sql !== '');
}

/** `create table ... as ...`: a model computed. */
export function isCreateTableAs(sql: string): boolean {
  return /^create\s+table\b[\s\S]*\bas\b/i.test(sql);
}

/** `create [or replace] view`: a view made or repointed. */
export function isCreateView(sql: string): boolean {
  return /^create\s+(or\s+replace\s+)?view\b/i.test(sql);
}
