/** Reads the CLI's target/manifest.json and turns it into one SQL script building every model view in topological order. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestModel {
  uniqueId: string;
  relationName: string;
  compiledPath: string;
}

export interface ManifestGraph {
  models: ManifestModel[];
  parentMap: Record<string, string[]>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(node: Record<string, unknown>, key: string, uniqueId: string): string {
  const value = node[key];
  if (typeof value !== 'string' || value === '') throw new Error(`manifest node ${uniqueId} has no string '${key}'`);
  return value;
}

export function readManifest(projectDir: string): ManifestGraph {
  const path = join(projectDir, 'target', 'manifest.json');
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(data) || !isRecord(data.nodes) || !isRecord(data.parent_map)) {
    throw new Error(`${path}: expected an object with 'nodes' and 'parent_map'`);
  }
  const models: ManifestModel[] = [];
  for (const [uniqueId, node] of Object.entries(data.nodes)) {
    if (!isRecord(node) || node.resource_type !== 'model') continue;
    models.push({
      uniqueId,
      relationName: requireString(node, 'relation_name', uniqueId),
      compiledPath: requireString(node, 'compiled_path', uniqueId),
    });
  }
  const parentMap: Record<string, string[]> = {};
  for (const [uniqueId, parents] of Object.entries(data.parent_map)) {
    parentMap[uniqueId] = Array.isArray(parents) ? parents.filter((p): p is string => typeof p === 'string') : [];
  }
  return { models, parentMap };
}

/** Kahn's algorithm over the given ids; parents outside `ids` (sources) are ignored. Stable: ties keep input order. */
export function topologicalOrder(ids: readonly string[], parentMap: Readonly<Record<string, readonly string[]>>): string[] {
  const known = new Set(ids);
  const pending = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of ids) {
    const parents = [...new Set(parentMap[id] ?? [])].filter((p) => known.has(p));
    pending.set(id, parents.length);
    for (const parent of parents) children.set(parent, [...(children.get(parent) ?? []), id]);
  }
  const order = ids.filter((id) => pending.get(id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const child of children.get(order[i]!) ?? []) {
      const left = pending.get(child)! - 1;
      pending.set(child, left);
      if (left === 0) order.push(child);
    }
  }
  if (order.length !== ids.length) {
    const stuck = ids.filter((id) => (pending.get(id) ?? 0) > 0).slice(0, 5);
    throw new Error(`parent_map has a cycle; e.g. ${stuck.join(', ')}`);
  }
  return order;
}

function stripTerminator(sql: string): string {
  return sql.trim().replace(/;\s*$/, '').trimEnd();
}

/** `create or replace view <relation> as\n<compiled sql>;` for every model, parents first. */
export function buildViewScript(projectDir: string): { script: string; models: number } {
  const { models, parentMap } = readManifest(projectDir);
  if (models.length === 0) throw new Error(`${projectDir}/target/manifest.json lists no models`);
  const byId = new Map(models.map((m) => [m.uniqueId, m]));
  const statements = topologicalOrder(
    models.map((m) => m.uniqueId),
    parentMap,
  ).map((id) => {
    const model = byId.get(id)!;
    const sql = stripTerminator(readFileSync(join(projectDir, model.compiledPath), 'utf8'));
    return `create or replace view ${model.relationName} as\n${sql};\n`;
  });
  return { script: statements.join('\n'), models: models.length };
}
