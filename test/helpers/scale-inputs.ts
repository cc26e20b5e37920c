/**
 * Large inputs that unit tests check for a correct result and `npm run bench -- --only in-process` times: one
 * workload, so the figure measures what the test proves right.
 */
import type { LineageModel } from '../../src/lineage/compute-lineage.js';
import type { IndexedRelation } from '../../src/lineage/relation-index.js';

export interface LineageChain {
  /** Model i reads model i - 1 (model 0 reads the seed raw.orders), listed last model first. */
  models: LineageModel[];
  relations: IndexedRelation[];
}

/** `count` models in one chain, each joining its parent to a seed, with a CTE, a window and a comment. */
export function lineageChain(count: number): LineageChain {
  const relations: IndexedRelation[] = [{ uniqueId: 'seed.p.orders', schema: 'raw', identifier: 'orders', columns: ['id', 'customer_id', 'amount', 'status'] }];
  const models: LineageModel[] = [];
  for (let i = 0; i < count; i++) {
    relations.push({ uniqueId: `model.p.m${i}`, schema: 'public', identifier: `m${i}` });
    const upstream = i === 0 ? 'raw.orders' : `m${i - 1}`;
    models.push({
      uniqueId: `model.p.m${i}`,
      sql: `with src as (select * from ${upstream}) -- model ${i}\nselect s.id, s.customer_id, s.amount * 2 as amount, upper(s.status) as status, sum(o.amount) over (partition by s.customer_id) as total\nfrom src s join raw.orders o on o.id = s.id where s.amount > 0`,
    });
  }
  return { models: models.reverse(), relations };
}

/** A CSV of `rows` integer rows (columns a, b) and one last row that makes `a` numeric: the scan must read to the end. */
export function csvWithLateMisfit(rows: number): Buffer {
  const lines = ['a,b'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${i % 1000}`);
  lines.push('2.5,oops');
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** The input cut into `piece`-byte buffers (64 KB is what a file read gives; a few bytes cross every kind of boundary). */
export function* inPieces(input: string | Buffer, piece: number): Generator<Buffer> {
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  for (let i = 0; i < buf.length; i += piece) yield buf.subarray(i, i + piece);
}

/** A CSV of two rows whose text fields are each about `fieldChars` long, one quoted across a line break. */
export function csvWithHugeFields(fieldChars: number): string {
  const big = 'x'.repeat(fieldChars);
  return `a,b\n1,"${big}\n""${big}"\n2,${big}\n`;
}
