import { describe, expect, it } from 'vitest';
import { batchesBetween, planBatches } from '../../src/materializations/incremental/batches.js';

const at = (text: string) => new Date(text);
const starts = (batches: Array<{ start: Date }>) => batches.map((batch) => batch.start.toISOString().slice(0, 13));

describe('microbatch planning', () => {
  const base = { size: 'day' as const, begin: at('2024-01-01T00:00:00Z'), lookback: 1, now: at('2024-01-10T15:00:00Z'), failed: [], refreshInOneBatch: false };

  it('aligns batches to UTC hours, days and months', () => {
    expect(starts(batchesBetween(at('2024-01-31T22:30:00Z'), at('2024-02-01T01:00:00Z'), 'hour'))).toEqual(['2024-01-31T22', '2024-01-31T23', '2024-02-01T00']);
    expect(batchesBetween(at('2024-01-15T00:00:00Z'), at('2024-03-01T00:00:00Z'), 'month').map((b) => [b.start.toISOString().slice(0, 10), b.end.toISOString().slice(0, 10)])).toEqual([
      ['2024-01-01', '2024-02-01'],
      ['2024-02-01', '2024-03-01'],
    ]);
  });

  it('a first build starts at begin and ends with the batch holding now', () => {
    const plan = planBatches({ ...base, incremental: false });
    expect(plan).toHaveLength(10);
    expect(starts([plan[0]!, plan.at(-1)!])).toEqual(['2024-01-01T00', '2024-01-10T00']);
  });

  it('refresh_in_one_batch makes a first build one batch over the same range, and leaves later runs alone', () => {
    expect(planBatches({ ...base, incremental: false, refreshInOneBatch: true })).toEqual([{ start: at('2024-01-01T00:00:00Z'), end: at('2024-01-11T00:00:00Z') }]);
    expect(starts(planBatches({ ...base, incremental: true, refreshInOneBatch: true, lastLanded: at('2024-01-11T00:00:00Z') }))).toEqual(['2024-01-09T00', '2024-01-10T00']);
    const range = { start: at('2024-01-02T00:00:00Z'), end: at('2024-01-04T00:00:00Z') };
    expect(starts(planBatches({ ...base, incremental: false, refreshInOneBatch: true, range }))).toEqual(['2024-01-02T00', '2024-01-03T00']);
  });

  it('later runs redo the lookback window, catch up after a gap, and add failed batches', () => {
    expect(starts(planBatches({ ...base, incremental: true, lastLanded: at('2024-01-10T00:00:00Z') }))).toEqual(['2024-01-09T00', '2024-01-10T00']);
    expect(starts(planBatches({ ...base, incremental: true, lastLanded: at('2024-01-07T00:00:00Z') }))).toEqual(['2024-01-07T00', '2024-01-08T00', '2024-01-09T00', '2024-01-10T00']);
    const failed = [{ start: at('2024-01-03T00:00:00Z'), end: at('2024-01-04T00:00:00Z') }];
    expect(starts(planBatches({ ...base, incremental: true, lastLanded: at('2024-01-11T00:00:00Z'), failed }))).toEqual(['2024-01-03T00', '2024-01-09T00', '2024-01-10T00']);
  });

  it('a backfill or a retry builds exactly what it names', () => {
    expect(starts(planBatches({ ...base, incremental: true, range: { start: at('2024-01-02T12:00:00Z'), end: at('2024-01-04T00:00:00Z') } }))).toEqual(['2024-01-02T00', '2024-01-03T00']);
    const retry = [{ start: at('2024-01-05T00:00:00Z'), end: at('2024-01-06T00:00:00Z') }];
    expect(planBatches({ ...base, incremental: true, retry })).toEqual(retry);
  });
});
