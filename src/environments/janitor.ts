import { inTransaction, type Adapter, type Connection } from '../adapters/adapter.js';
import type { CatalogRelation, RelationKind } from '../adapters/introspector.js';
import { parseQuotedRelation, quoteRelation } from '../adapters/sql.js';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import { MAX_IDENTIFIER_LENGTH, META_SCHEMA } from '../core/constants.js';
import { rejectsRelation } from '../loaders/json-seed-table.js';
import { SQL_KEYWORD_BY_KIND } from '../materializations/materialization.js';
import { dropSchemaIfEmpty, holdsNoRelation, readEnvironmentState, underLock, type LockSchemas } from './housekeeping.js';
import { environmentSchemaPattern } from './naming.js';
import { forgetVersions, type EnvironmentViewRow, type VersionRow } from './state.js';

/** What the janitor decides from: the state tables and the physical schema's catalog, read under the writer lock. */
export interface JanitorInput {
  versions: readonly VersionRow[];
  views: readonly EnvironmentViewRow[];
  /** The relations in the physical schema now. */
  physical: readonly CatalogRelation[];
  /** The database's clock: `used_at` was stamped by it. */
  now: Date;
  retentionHours: number;
  /** Physical relations (quoted) that a view outside tsdbt's state reads: kept, and what they read with them. */
  pinned?: ReadonlySet<string>;
}

export interface PhysicalDrop {
  /** Quoted, as the state tables name it. */
  relation: string;
  kind: RelationKind;
  /** The versions whose table it is, forgotten with it; none for an orphan, which no version records. */
  fingerprints: string[];
  /** When an environment last used one of those versions (or it was built), undefined for an orphan. */
  lastUsed?: Date;
}

export interface JanitorPlan {
  /** In the order they can be dropped without CASCADE: a view before what it reads. */
  drops: PhysicalDrop[];
  /** Unused, expired versions whose table is gone already: only their rows go. */
  staleFingerprints: string[];
  /** How many physical relations stay. */
  kept: number;
}

const HOUR_MS = 3_600_000;

/**
 * Which physical relations go. A relation stays when a version of it is an environment's, or was used (promoted or
 * built) within the retention, or is pinned; and so does every relation such a version's view reads (`depends_on`),
 * transitively. Several versions may share a table: it goes only when every one of them may. A relation no version
 * names is an orphan (a build that died before recording it): nothing can ever reuse it, so it goes whatever its age.
 */
export function planJanitor(input: JanitorInput, readersOf: ReadonlyMap<string, readonly string[]> = new Map()): JanitorPlan {
  const cutoff = input.now.getTime() - input.retentionHours * HOUR_MS;
  const byRelation = new Map<string, VersionRow[]>();
  for (const version of input.versions) (byRelation.get(version.relation) ?? byRelation.set(version.relation, []).get(version.relation)!).push(version);
  const used = new Set(input.views.map((view) => view.fingerprint));
  const kept = new Set(input.pinned);
  for (const version of input.versions) if (used.has(version.fingerprint) || version.used_at.getTime() > cutoff) kept.add(version.relation);
  const pending = [...kept];
  for (let relation = pending.pop(); relation !== undefined; relation = pending.pop()) {
    for (const version of byRelation.get(relation) ?? []) {
      for (const read of JSON.parse(version.depends_on) as string[]) {
        if (kept.has(read)) continue;
        kept.add(read);
        pending.push(read);
      }
    }
  }
  const existing = new Set(input.physical.map(quoteRelation));
  // A JSON seed version's rejects table is its table's companion: kept and dropped with it, never an orphan.
  const ownerOf = new Map([...byRelation.keys()].map((relation) => [quoteRelation(rejectsRelation(parseQuotedRelation(relation)!, MAX_IDENTIFIER_LENGTH)), relation]));
  const drops = input.physical
    .map((catalog) => ({ relation: quoteRelation(catalog), kind: catalog.kind }))
    .filter(({ relation }) => !kept.has(ownerOf.get(relation) ?? relation))
    .map(({ relation, kind }): PhysicalDrop => {
      const versions = byRelation.get(relation) ?? [];
      const lastUsed = versions.length === 0 ? undefined : new Date(Math.max(...versions.map((version) => version.used_at.getTime())));
      return { relation, kind, fingerprints: versions.map((version) => version.fingerprint), lastUsed };
    });
  return {
    drops: readersFirst(drops, readersOf),
    staleFingerprints: input.versions.filter((version) => !kept.has(version.relation) && !existing.has(version.relation)).map((version) => version.fingerprint),
    kept: input.physical.length - drops.length,
  };
}

/** `drops` ordered so that each comes after the relations of `drops` that read it (`readersOf`, quoted). */
function readersFirst(drops: PhysicalDrop[], readersOf: ReadonlyMap<string, readonly string[]>): PhysicalDrop[] {
  const byRelation = new Map(drops.map((drop) => [drop.relation, drop]));
  const ordered: PhysicalDrop[] = [];
  const placed = new Set<string>();
  const place = (drop: PhysicalDrop): void => {
    if (placed.has(drop.relation)) return;
    placed.add(drop.relation);
    for (const reader of readersOf.get(drop.relation) ?? []) {
      const readerDrop = byRelation.get(reader);
      if (readerDrop) place(readerDrop);
    }
    ordered.push(drop);
  };
  for (const drop of drops) place(drop);
  return ordered;
}

/**
 * The schemas of environments that have no view left (dropped, or never promoted since): schemas named by the
 * environment template after one of the project's schemas, that no environment's view is in. Never a schema of the
 * project's own, the physical schema or tsdbt's state schema.
 */
export function abandonedEnvironmentSchemas(
  settings: VirtualEnvironmentSettings,
  projectSchemas: readonly string[],
  existingSchemas: readonly string[],
  views: readonly EnvironmentViewRow[],
): string[] {
  const live = new Set(views.map((view) => view.environment));
  const inUse = new Set([...projectSchemas, settings.physicalSchema, META_SCHEMA, ...views.map((view) => parseQuotedRelation(view.relation)?.schema)]);
  const patterns = [...new Set(projectSchemas)].map((schema) => environmentSchemaPattern(settings, schema));
  return existingSchemas.filter((schema) => {
    if (inUse.has(schema)) return false;
    const envs = patterns.map((pattern) => pattern.exec(schema)?.[1]).filter((env) => env !== undefined);
    return envs.length > 0 && envs.every((env) => env !== settings.defaultEnvironment && !live.has(env));
  });
}

export interface JanitorOptions {
  settings: VirtualEnvironmentSettings;
  /** The schemas of the project's nodes, after which environment schemas are named. */
  projectSchemas: readonly string[];
  retentionHours: number;
  dryRun: boolean;
  lock: LockSchemas;
}

export interface JanitorReport {
  /** Dropped, or with dryRun what would be, in the order dropped. */
  drops: PhysicalDrop[];
  /** Relations that would have gone but a view outside tsdbt's state reads: relation (quoted) → its readers. */
  pinned: Map<string, string[]>;
  staleFingerprints: string[];
  /** Environment schemas dropped (with dryRun: that hold no relation), and those kept because something is in them. */
  schemas: string[];
  keptSchemas: string[];
  /** Relations the server refused to drop (a reader that appeared meanwhile): left, with the reason. */
  failures: Array<{ relation: string; message: string }>;
  kept: number;
}

/**
 * `tsdbt janitor`: under the writer lock on the physical schema and the schemas it may drop, reads the state again
 * (a plan that promoted while it waited has made its tables used), then drops what planJanitor says, each relation
 * with its versions' rows in a transaction of its own (thousands of drops in one would exhaust the lock table), never
 * with CASCADE.
 */
export async function runJanitor(adapter: Adapter, options: JanitorOptions): Promise<JanitorReport> {
  const { settings } = options;
  const candidates = await adapter.withConnection(async (connection) =>
    abandonedEnvironmentSchemas(settings, options.projectSchemas, await connection.introspector.listSchemas(), (await readEnvironmentState(connection)).views),
  );
  return underLock(options.lock, [settings.physicalSchema, ...candidates], () =>
    adapter.withConnection(async (connection) => {
      const state = await readEnvironmentState(connection);
      const now = (await connection.query('select now() as now')).rows[0]!.now as Date;
      const physical = await connection.introspector.listRelations([settings.physicalSchema]);
      const { plan, pinned } = await planWithCatalogReaders(connection, { ...state, physical, now, retentionHours: options.retentionHours });
      const report: JanitorReport = { drops: plan.drops, pinned, staleFingerprints: plan.staleFingerprints, schemas: [], keptSchemas: [], failures: [], kept: plan.kept };
      if (!options.dryRun) {
        report.drops = [];
        for (const drop of plan.drops) {
          try {
            await inTransaction(connection, async () => {
              await connection.query(`drop ${SQL_KEYWORD_BY_KIND[drop.kind]} ${drop.relation}`);
              await forgetVersions(connection, drop.fingerprints);
            });
            report.drops.push(drop);
          } catch (error) {
            report.failures.push({ relation: drop.relation, message: (error as Error).message });
            report.kept++;
          }
        }
        await forgetVersions(connection, plan.staleFingerprints);
      }
      // Only schemas locked: one abandoned while the janitor waited is the next run's.
      const locked = new Set(candidates);
      const abandoned = abandonedEnvironmentSchemas(settings, options.projectSchemas, await connection.introspector.listSchemas(), state.views);
      for (const schema of abandoned.filter((name) => locked.has(name))) {
        const empty = options.dryRun ? await holdsNoRelation(connection, schema) : await dropSchemaIfEmpty(connection, schema);
        (empty ? report.schemas : report.keptSchemas).push(schema);
      }
      return report;
    }),
  );
}

/**
 * planJanitor, with the catalog's word on who reads what: a relation some view outside the plan's drops reads (a
 * user's view, an environment view the state does not record) is pinned, and the plan made again, until none is.
 */
async function planWithCatalogReaders(connection: Connection, input: JanitorInput): Promise<{ plan: JanitorPlan; pinned: Map<string, string[]> }> {
  const readersOf = new Map<string, string[]>();
  const pinned = new Map<string, string[]>();
  for (;;) {
    const plan = planJanitor({ ...input, pinned: new Set(pinned.keys()) }, readersOf);
    for (const drop of plan.drops) {
      if (readersOf.has(drop.relation)) continue;
      const readers = await connection.introspector.dependentViews(parseQuotedRelation(drop.relation)!);
      readersOf.set(drop.relation, readers.map(quoteRelation));
    }
    const dropped = new Set(plan.drops.map((drop) => drop.relation));
    const newlyPinned = plan.drops.filter((drop) => readersOf.get(drop.relation)!.some((reader) => !dropped.has(reader)));
    if (newlyPinned.length === 0) return { plan: planJanitor({ ...input, pinned: new Set(pinned.keys()) }, readersOf), pinned };
    for (const drop of newlyPinned) pinned.set(drop.relation, readersOf.get(drop.relation)!.filter((reader) => !dropped.has(reader)));
  }
}
