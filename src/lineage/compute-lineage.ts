import type { SelectStmt } from 'libpg-query';
import { Derivation } from './derivation.js';
import { QueryAnalyzer, type AnalysedQuery } from './query-analyzer.js';
import type { RelationIndex } from './relation-index.js';
import type { ColumnSet } from './scope.js';
import { loadSqlParser, parseStatements } from './sql-parser.js';
import type { NodeLineage, ProjectLineage } from './types.js';

/** A SQL model (or a TypeScript model's Kysely query) with its compiled SQL. */
export interface LineageModel {
  uniqueId: string;
  sql: string;
}

interface ParsedModel {
  uniqueId: string;
  select?: SelectStmt;
  error?: string;
}

/**
 * The column lineage of every model. A model's output columns come from its own SQL when it can be analysed in
 * full, so `select *` over another model needs no catalog; seeds, sources, snapshots and models that cannot be
 * analysed fall back to the index's columns. Models are analysed upstream first.
 */
export async function computeLineage(models: LineageModel[], relations: RelationIndex): Promise<ProjectLineage> {
  await loadSqlParser();
  const parsed = models.map(parseModel);
  const outputs = new Map<string, ColumnSet>();
  const analyzer = new QueryAnalyzer((schema, name) => {
    const relation = relations.find(schema, name);
    if (!relation) return undefined;
    // A model's own output is not there yet while it is analysed: `{{this}}` falls back to the index.
    const analysed = outputs.get(relation.uniqueId);
    const names = analysed && !analysed.unknown ? analysed.columns.map((column) => column.name) : relation.columns;
    if (!names) return { columns: [], unknown: `the columns of ${relation.uniqueId} are not known` };
    return { columns: names.map((column) => ({ name: column, derivation: Derivation.of({ node: relation.uniqueId, column }) })) };
  });
  const lineage: ProjectLineage = {};
  for (const model of upstreamFirst(parsed, relations)) {
    lineage[model.uniqueId] = model.select ? analyseModel(analyzer, model.select, outputs, model.uniqueId) : { columns: {}, error: model.error };
  }
  return Object.fromEntries(models.map((model) => [model.uniqueId, lineage[model.uniqueId]!]));
}

function parseModel(model: LineageModel): ParsedModel {
  const parsed = parseStatements(model.sql);
  if ('error' in parsed) return { uniqueId: model.uniqueId, error: `cannot parse the compiled SQL: ${parsed.error}` };
  const stmt = parsed.statements.length === 1 ? parsed.statements[0] : undefined;
  if (!stmt || !('SelectStmt' in stmt)) return { uniqueId: model.uniqueId, error: 'the compiled SQL is not a single SELECT' };
  return { uniqueId: model.uniqueId, select: stmt.SelectStmt };
}

function analyseModel(analyzer: QueryAnalyzer, select: SelectStmt, outputs: Map<string, ColumnSet>, uniqueId: string): NodeLineage {
  let analysed: AnalysedQuery;
  try {
    analysed = analyzer.query(select);
  } catch (error) {
    return { columns: {}, error: `cannot analyse the SQL: ${(error as Error).message}` };
  }
  const { shape, rowInputs } = analysed;
  outputs.set(uniqueId, shape);
  if (shape.unknown) return { columns: {}, error: `cannot list the output columns: ${shape.unknown}` };
  const byName = new Map<string, Derivation>();
  // Two output columns of one name (legal in a SELECT, not in a table) share one entry.
  for (const { name, derivation } of shape.columns) byName.set(name, Derivation.union([byName.get(name) ?? new Derivation(), derivation]));
  const columns = Object.fromEntries([...byName].map(([name, derivation]) => [name, derivation.toColumnLineage()]));
  // An incremental model reading `{{this}}` reads its own previous rows: not an upstream node's columns.
  const lineage: NodeLineage = { columns, rowInputs: rowInputs.refs().filter((ref) => ref.node !== uniqueId) };
  const unresolved = rowInputs.reasons();
  return unresolved === undefined ? lineage : { ...lineage, rowInputsUnresolved: unresolved };
}

/**
 * Models ordered so that each comes after the models its FROM clauses name (depth-first, without recursion, as a
 * chain of 5,000 models would overflow the stack). Names that are CTEs may add an edge that is not one: it only
 * changes the order. Cycles (a model reading itself as `{{this}}`) are broken where they are met.
 */
function upstreamFirst(models: ParsedModel[], relations: RelationIndex): ParsedModel[] {
  const byId = new Map(models.map((model) => [model.uniqueId, model]));
  const parentsOf = (model: ParsedModel): string[] => {
    const parents = new Set<string>();
    forEachRangeVar(model.select, (schema, name) => {
      const id = relations.find(schema, name)?.uniqueId;
      if (id !== undefined && id !== model.uniqueId && byId.has(id)) parents.add(id);
    });
    return [...parents];
  };
  const ordered: ParsedModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of models) {
    if (state.has(root.uniqueId)) continue;
    const stack: Array<{ model: ParsedModel; parents: string[] }> = [{ model: root, parents: parentsOf(root) }];
    state.set(root.uniqueId, 'visiting');
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const next = top.parents.pop();
      if (next === undefined) {
        stack.pop();
        state.set(top.model.uniqueId, 'done');
        ordered.push(top.model);
      } else if (!state.has(next)) {
        const parent = byId.get(next)!;
        state.set(next, 'visiting');
        stack.push({ model: parent, parents: parentsOf(parent) });
      }
    }
  }
  return ordered;
}

function forEachRangeVar(value: unknown, visit: (schema: string | undefined, name: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachRangeVar(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if ('RangeVar' in value) {
    const { schemaname, relname } = (value as { RangeVar: { schemaname?: string; relname?: string } }).RangeVar;
    if (relname) visit(schemaname, relname);
    return;
  }
  for (const child of Object.values(value)) forEachRangeVar(child, visit);
}
