import { didYouMean, TsdbtError } from '../../core/errors.js';
import { RESOURCE_KINDS } from '../../core/node-kinds.js';
import { columnKey } from '../../lineage/column-key.js';
import { LineageGraph, type LineageDirection } from '../../lineage/lineage-graph.js';
import type { ColumnRef, ProjectLineage } from '../../lineage/types.js';
import { catalogEntryOf } from '../../docs/catalog.js';
import { Compiler } from '../../templating/compiler.js';
import { createSessionReporter, openSession, withAdapter, type Session } from '../session.js';
import { compileNodes } from './compile.js';
import type { Command } from './command.js';

interface LineageArgs {
  column: string;
  upstream?: boolean;
  downstream?: boolean;
  depth?: number;
}

/** `tsdbt lineage model.column`: where a column comes from and where it goes, as a tree, from the compiled SQL. */
export const lineageCommand: Command<LineageArgs> = {
  name: 'lineage',
  usage: 'lineage <column>',
  describe: 'Print the column-level lineage of MODEL.COLUMN: the upstream columns it derives from and the downstream columns derived from it',
  examples: [
    ['tsdbt lineage pinterest_top_user_by_country.follower_count', 'both directions, all the way'],
    ['tsdbt lineage ambassadors.email --downstream --depth 1', 'only the columns computed directly from it'],
    ['tsdbt lineage raw_orders.amount --downstream', 'every column a seed or source column flows into'],
  ],
  options: (yargs) =>
    yargs
      .positional('column', { type: 'string', describe: 'MODEL.COLUMN (a model, seed, snapshot or SOURCE.TABLE, then a column)' })
      .option('upstream', { type: 'boolean', describe: 'Only where the column comes from' })
      .option('downstream', { type: 'boolean', describe: 'Only where the column goes' })
      .option('depth', { type: 'number', describe: 'At most this many hops (default: all)' }) as never,
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    const start = resolveColumn(session, args.column);
    const { readProjectLineage } = await import('../../docs/generate-docs.js');
    const { lineage, subjects, catalog } = await withAdapter(session, async (adapter) => {
      const compiled = await compileNodes(session, new Compiler(session.loaded.parsed, session.loaded.graph), session.loaded.parsed.nodes.keys(), (work) => adapter.withConnection(work));
      return readProjectLineage(session, adapter, compiled);
    });
    const relation = subjects.find((subject) => subject.uniqueId === start.node)?.relation;
    checkColumn(session, lineage, start, relation && catalogEntryOf(catalog, relation)?.columns.map((column) => column.name));
    const directions: LineageDirection[] = args.upstream && !args.downstream ? ['upstream'] : args.downstream && !args.upstream ? ['downstream'] : ['upstream', 'downstream'];
    const graph = new LineageGraph(lineage);
    const label = (ref: ColumnRef) => `${displayName(session, ref.node)}.${ref.column}`;
    io.stdout(label(start));
    const unresolved = lineage[start.node]?.columns[start.column]?.unresolved;
    if (unresolved) io.stdout(`  (partly unresolved: ${unresolved})`);
    for (const direction of directions) {
      const lines = treeLines(graph, lineage, start, direction, args.depth ?? Number.POSITIVE_INFINITY, label);
      io.stdout(`${direction}:${lines.length === 0 ? ' none' : ''}`);
      for (const line of lines) io.stdout(line);
    }
    return 0;
  },
};

/** Each column once, indented by its depth under the column it was reached from; a column seen before is marked. */
function treeLines(graph: LineageGraph, lineage: ProjectLineage, start: ColumnRef, direction: LineageDirection, maxDepth: number, label: (ref: ColumnRef) => string): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  const arrow = direction === 'upstream' ? '<-' : '->';
  const visit = (column: ColumnRef, depth: number) => {
    if (depth > maxDepth) return;
    for (const next of graph.neighbours(column, direction)) {
      const key = columnKey(next);
      const again = seen.has(key);
      seen.add(key);
      const unresolved = lineage[next.node]?.columns[next.column]?.unresolved;
      lines.push(`${'  '.repeat(depth)}${arrow} ${label(next)}${again ? ' (see above)' : ''}${unresolved && !again ? `  (partly unresolved: ${unresolved})` : ''}`);
      if (!again) visit(next, depth + 1);
    }
  };
  visit(start, 1);
  return lines;
}

/** What people call a node: its name, or SOURCE.TABLE for a source. */
function displayName(session: Session, uniqueId: string): string {
  const source = session.loaded.parsed.sources.get(uniqueId);
  return source ? `${source.sourceName}.${source.name}` : (session.loaded.parsed.nodes.get(uniqueId)?.name ?? uniqueId);
}

/** MODEL.COLUMN: the longest prefix before a dot that names a model, seed, snapshot or source is the node. */
function resolveColumn(session: Session, text: string): ColumnRef {
  const { parsed } = session.loaded;
  const byName = new Map<string, string>();
  for (const node of parsed.nodes.values()) if (RESOURCE_KINDS[node.resourceType].referable) byName.set(node.name, node.uniqueId);
  for (const source of parsed.sources.values()) byName.set(`${source.sourceName}.${source.name}`, source.uniqueId);
  for (let dot = text.lastIndexOf('.'); dot > 0; dot = text.lastIndexOf('.', dot - 1)) {
    const node = byName.get(text.slice(0, dot));
    if (node) return { node, column: text.slice(dot + 1) };
  }
  throw new TsdbtError('usage', `'${text}' does not name a column of a model, seed, snapshot or source`, {
    hint: didYouMean(text.split('.')[0]!, byName.keys()) ?? 'write MODEL.COLUMN, e.g. orders.amount',
  });
}

/**
 * The column must be one the lineage knows: a model's output, or a column of a seed's, source's or snapshot's relation
 * (from the database, else the columns models are seen to read).
 */
function checkColumn(session: Session, lineage: ProjectLineage, ref: ColumnRef, relationColumns: string[] | undefined): void {
  const modelLineage = lineage[ref.node];
  if (modelLineage?.error) throw new TsdbtError('usage', `the lineage of ${displayName(session, ref.node)} could not be read: ${modelLineage.error}`);
  const readByModels = () => [...new Set(Object.values(lineage).flatMap((l) => Object.values(l.columns).flatMap((c) => c.upstream.filter((u) => u.node === ref.node).map((u) => u.column))))];
  const known = modelLineage ? Object.keys(modelLineage.columns) : (relationColumns ?? readByModels());
  if (!known.includes(ref.column)) {
    throw new TsdbtError('usage', `${displayName(session, ref.node)} has no column '${ref.column}' that lineage knows`, {
      hint: didYouMean(ref.column, known) ?? (known.length > 0 ? `its columns: ${known.join(', ')}` : 'no model reads any of its columns'),
    });
  }
}
