import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { formatStatement, StatementLog } from '../../src/adapters/statement-log.js';
import { statementLogFile } from '../../src/cli/options.js';
import { TsdbtError } from '../../src/core/errors.js';
import { registerSecret } from '../../src/redact.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

const startedAt = new Date('2026-12-07T06:31:00.123Z');

describe('statement log', () => {
  it('formats an entry: time, session, duration and rows on a comment line, the SQL as sent, its parameters after it', () => {
    const entry = formatStatement({
      startedAt,
      session: 2,
      durationMs: 12.345,
      sql: 'select *\nfrom "a"."b" where x = $1 and y = $2 and z = $3  \n',
      params: ['it\'s\nhere', 42, null],
      rowCount: 1,
    });
    expect(entry).toBe('-- 2026-12-07T06:31:00.123Z c2 12.3 ms, 1 row\nselect *\nfrom "a"."b" where x = $1 and y = $2 and z = $3\n-- params: $1 = "it\'s\\nhere", $2 = 42, $3 = null\n\n');
    expect(formatStatement({ startedAt, session: 1, durationMs: 0.04, sql: 'begin' })).toBe('-- 2026-12-07T06:31:00.123Z c1 0.0 ms\nbegin\n\n');
    expect(formatStatement({ startedAt, session: 1, durationMs: 1, sql: 'select 1', rowCount: 3 })).toContain('1.0 ms, 3 rows\n');
  });

  it('lists bytes by their length and dates, arrays and big integers as JSON', () => {
    const entry = formatStatement({ startedAt, session: 1, durationMs: 1, sql: 'select', params: [Buffer.from('abc'), new Date('2024-01-02T03:04:05Z'), ['a', 1], 12345678901234567890n, true] });
    expect(entry).toContain('-- params: $1 = <3 bytes>, $2 = "2024-01-02T03:04:05.000Z", $3 = ["a",1], $4 = 12345678901234567890, $5 = true\n');
  });

  it('says how a statement failed, with its SQLSTATE', () => {
    const error = Object.assign(new Error('relation "x" does not exist\nLINE 1: ...'), { code: '42P01' });
    expect(formatStatement({ startedAt, session: 3, durationMs: 2, sql: 'select * from x', rowCount: 0, error })).toBe(
      '-- 2026-12-07T06:31:00.123Z c3 2.0 ms, failed (42P01): relation "x" does not exist\nselect * from x\n\n',
    );
  });

  it('masks secrets in the parameters and in the SQL', () => {
    registerSecret('hunter2-statement-log');
    const entry = formatStatement({ startedAt, session: 1, durationMs: 1, sql: "alter role r password 'hunter2-statement-log'", params: ['x hunter2-statement-log y'] });
    expect(entry).not.toContain('hunter2');
    expect(entry).toContain("alter role r password '*****'");
    expect(entry).toContain('$1 = "x ***** y"');
  });

  it('numbers sessions in the order they first speak, and appends what it holds when flushed', () => {
    const file = join(temporaryDir('tsdbt-statement-log-'), 'sql.log');
    const log = new StatementLog(file);
    const [first, second] = [{}, {}];
    expect([log.sessionNumber(first), log.sessionNumber(second), log.sessionNumber(first)]).toEqual([1, 2, 1]);
    log.record({ startedAt, session: 1, durationMs: 1, sql: 'select 1' });
    log.flush();
    log.record({ startedAt, session: 2, durationMs: 1, sql: 'select 2' });
    log.flush();
    expect(readFileSync(file, 'utf8')).toBe('-- 2026-12-07T06:31:00.123Z c1 1.0 ms\nselect 1\n\n-- 2026-12-07T06:31:00.123Z c2 1.0 ms\nselect 2\n\n');
  });

  it('appends what waits a second after it came, and keeps a failing append for the close to report', () => {
    const dir = temporaryDir('tsdbt-statement-log-');
    const file = join(dir, 'sql.log');
    vi.useFakeTimers();
    try {
      const log = new StatementLog(file);
      log.record({ startedAt, session: 1, durationMs: 1, sql: 'select 1' });
      expect(readFileSync(file, 'utf8')).toBe('');
      vi.advanceTimersByTime(1000);
      expect(readFileSync(file, 'utf8')).toContain('select 1');
      rmSync(dir, { recursive: true });
      log.record({ startedAt, session: 1, durationMs: 1, sql: 'select 2' });
      log.flush();
      expect(log.failure?.message).toMatch(/^cannot write the statement log .*sql\.log: ENOENT/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a file it cannot write before any statement runs', () => {
    const file = join(temporaryDir('tsdbt-statement-log-'), 'missing-folder', 'sql.log');
    expect(() => new StatementLog(file)).toThrow(TsdbtError);
    expect(() => new StatementLog(file)).toThrow(/cannot write the statement log .*missing-folder/);
  });

  it('is --log-sql, else TSDBT_LOG_SQL, from the working directory', () => {
    expect(statementLogFile({ logSql: 'a.log' }, { TSDBT_LOG_SQL: 'b.log' })).toBe(join(process.cwd(), 'a.log'));
    expect(statementLogFile({}, { TSDBT_LOG_SQL: '/tmp/b.log' })).toBe('/tmp/b.log');
    expect(statementLogFile({}, {})).toBeUndefined();
  });
});
