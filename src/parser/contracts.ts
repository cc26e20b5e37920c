import { didYouMean, TsdbtError } from '../core/errors.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import type { GraphNode } from '../core/nodes.js';
import { constraintsOf, contractEnforced } from '../materializations/contract.js';
import { isEphemeral } from '../materializations/registry.js';
import type { ParsedProject } from './project-parser.js';
import { parseRelationCall } from './relation-call.js';

/**
 * Checks an enforced contract when the model is parsed, so a mistake is a config error at its line rather than a
 * failed build: every column has a data_type, each constraint has what its type needs and names declared columns.
 * `patch` is where the property file describes the model.
 */
export function validateContract(node: GraphNode, patch?: { readonly line?: number }): void {
  if (!contractEnforced(node)) return;
  const patchLine = patch?.line;
  const file = node.patchPath ?? node.originalFilePath;
  const fail = (message: string, line: number | undefined, hint?: string) => {
    throw new TsdbtError('config', `model '${node.name}' has an enforced contract, but ${message}`, { location: { file, line }, hint });
  };
  if (isEphemeral(node)) fail('an ephemeral model is never built, so it cannot have one', patchLine, 'materialize it as a table, view or incremental');
  const columns = Object.values(node.columns);
  if (columns.length === 0) fail('declares no columns', patchLine, 'list its columns, each with a data_type, in a property file');
  for (const column of columns) {
    if (!column.dataType) fail(`column '${column.name}' has no data_type`, column.line, 'give every column of a contract a data_type, e.g. data_type: integer');
  }
  for (const { constraint, column } of constraintsOf(node)) {
    const what = `its ${constraint.type} constraint${column ? ` on '${column}'` : ''}`;
    if ((constraint.type === 'check' || constraint.type === 'custom') && !constraint.expression) fail(`${what} has no expression`, constraint.line);
    if (constraint.type === 'foreign_key' && !constraint.to && !constraint.expression) {
      fail(`${what} names no table`, constraint.line, "give it to: ref('other_model') and to_columns: [id], or expression: other_table (id)");
    }
    if (constraint.to && !parseRelationCall(constraint.to)) fail(`${what} has to: '${constraint.to}', which is neither ref('x') nor source('s', 't')`, constraint.line);
    if (!column && constraint.type !== 'check' && constraint.type !== 'custom' && !constraint.columns?.length) {
      fail(`${what} is on the model and names no columns`, constraint.line, 'give it columns: [...]');
    }
    for (const name of constraint.columns ?? []) {
      if (!node.columns[name]) fail(`${what} names column '${name}', which the contract does not declare`, constraint.line, didYouMean(name, Object.keys(node.columns)));
    }
  }
}

/**
 * Resolves each foreign key's `to` once every node is parsed, and makes it a dependency of the model (as dbt does),
 * so the referenced table is built first.
 */
export function resolveForeignKeys(parsed: ParsedProject): void {
  const byName = new Map([...parsed.nodes.values()].filter((node) => RESOURCE_KINDS[node.resourceType].referable).map((node) => [node.name, node]));
  const sources = new Map([...parsed.sources.values()].map((source) => [`${source.sourceName}.${source.name}`, source]));
  for (const node of parsed.nodes.values()) {
    if (node.resourceType !== 'model' || !contractEnforced(node)) continue;
    for (const { constraint } of constraintsOf(node)) {
      const call = constraint.to === undefined ? undefined : parseRelationCall(constraint.to);
      if (!call) continue;
      const loc = { line: constraint.line ?? 1, column: 1 };
      const location = { file: node.patchPath ?? node.originalFilePath, line: constraint.line };
      if (call.kind === 'ref') {
        const target = byName.get(call.name);
        if (!target) {
          const why = parsed.disabled.has(call.name) ? 'which is disabled' : 'which does not exist';
          throw new TsdbtError('config', `the foreign key of model '${node.name}' refs '${call.name}', ${why}`, { location, hint: didYouMean(call.name, byName.keys()) });
        }
        constraint.toRelation = target.relation;
        node.refs.push({ name: call.name, loc });
      } else {
        const target = sources.get(`${call.source}.${call.table}`);
        if (!target) {
          throw new TsdbtError('config', `the foreign key of model '${node.name}' reads source '${call.source}.${call.table}', which is not declared`, {
            location,
            hint: didYouMean(`${call.source}.${call.table}`, sources.keys()),
          });
        }
        constraint.toRelation = target.relation;
        node.sources.push({ source: call.source, table: call.table, loc });
      }
    }
  }
}
