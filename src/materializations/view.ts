import type { Connection } from '../adapters/adapter.js';
import { SQL_KEYWORD_BY_KIND, type Materialization, type MaterializationContext } from './materialization.js';

/** Column changes PostgreSQL refuses in CREATE OR REPLACE VIEW: dropped, renamed or retyped columns. */
const CANNOT_REPLACE = new Set(['42P16', '42804', '42P13']);

export const view: Materialization = {
  name: 'view',
  producesRelation: true,
  async build(context) {
    const replaced = await context.adapter.withConnection(async (connection) => {
      const existing = await context.findExisting(connection);
      if (existing?.kind !== 'view') return false;
      // CREATE OR REPLACE keeps dependent views in place; only a change of columns needs drop and create.
      try {
        await context.run(connection, `create or replace view ${context.relation} as\n${context.sql}`);
        return true;
      } catch (error) {
        if (!CANNOT_REPLACE.has((error as { code?: string }).code ?? '')) throw error;
        return false;
      }
    });
    if (!replaced) await context.adapter.transaction((connection) => dropAndCreate(context, connection));
    return { message: 'CREATE VIEW', rowsAffected: null };
  },
};

async function dropAndCreate(context: MaterializationContext, connection: Connection): Promise<void> {
  const existing = await context.findExisting(connection);
  if (existing) await context.run(connection, `drop ${SQL_KEYWORD_BY_KIND[existing.kind]} ${context.relation} cascade`);
  await context.run(connection, `create view ${context.relation} as\n${context.sql}`);
}
