import { createHash } from 'node:crypto';
import { pythonRepr, pythonStr } from '../util/python-text.js';

/**
 * dbt's names and unique ids of generic tests (dbt-core's `synthesize_generic_test_names` and
 * `SchemaGenericTestParser.create_test_node`), so a project moved from dbt keeps its ids: `--state` comparisons and
 * the tools that read manifest.json see the same tests.
 */

/** dbt's identifiers are under 64 characters: a longer name's relation and file take its first 30 and an md5. */
const MAX_NAME_LENGTH = 64;
const TRUNCATED_PREFIX_LENGTH = 30;
const UNIQUE_ID_HASH_LENGTH = 10;

/** What dbt's `test_metadata` holds: the test (without its package), its package if written, its arguments. */
export interface GenericTestMetadata {
  name: string;
  namespace: string | null;
  /** The arguments as written, `column_name` and `model` (`{{ get_where_subquery(ref('orders')) }}`) included. */
  kwargs: Record<string, unknown>;
}

export interface GenericTestNames {
  /** The name, fqn and unique id take: `accepted_values_orders_status__placed__shipped`. */
  fullName: string;
  /** The relation's and compiled file's name: the full one, or if 64 characters or more, 30 of them and an md5. */
  shortName: string;
}

/** `dbt_utils.expression_is_true` is the test `expression_is_true` of the package `dbt_utils`. */
export function splitTestName(written: string): { namespace: string | null; name: string } {
  const dot = written.indexOf('.');
  return dot < 0 ? { namespace: null, name: written } : { namespace: written.slice(0, dot), name: written.slice(dot + 1) };
}

/**
 * `<test>_<tested>_<arguments>`: `test` is prefixed `source_` on a source table and by its package, `tested` is the
 * model or `<source>_<table>`, and the arguments (`column_name` among them) are flattened in the order of their names,
 * as Python writes them, runs of other characters than letters, digits and `_` made one `_`, joined by `__`.
 */
export function synthesizeTestNames(test: string, tested: string, args: Record<string, unknown>): GenericTestNames {
  const parts = Object.keys(args)
    .filter((key) => key !== 'model')
    .sort()
    .flatMap((key) => {
      const value = args[key];
      if (Array.isArray(value)) return value;
      if (value !== null && typeof value === 'object') return Object.values(value);
      return [value];
    })
    .map((part) => pythonStr(part).replace(/[^0-9a-zA-Z_]+/g, '_'));
  const identifier = `${test}_${tested}`;
  const fullName = `${identifier}_${parts.join('__')}`;
  const shortName = fullName.length >= MAX_NAME_LENGTH ? `${identifier.slice(0, TRUNCATED_PREFIX_LENGTH)}_${md5(fullName)}` : fullName;
  return { fullName, shortName };
}

/** `test.<project>.<name>.<hash>`: the last 10 hex digits of the md5 of the name and Python's repr of the metadata. */
export function genericTestUniqueId(project: string, name: string, metadata: GenericTestMetadata): string {
  const hashable = pythonRepr(hashableMetadata({ kwargs: metadata.kwargs, name: metadata.name, namespace: metadata.namespace }));
  return `test.${project}.${name}.${md5(`${name}${hashable}`).slice(-UNIQUE_ID_HASH_LENGTH)}`;
}

/** dbt's `get_hashable_md`: mappings with sorted keys, lists kept, every other value as its Python text. */
function hashableMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hashableMetadata);
  if (value !== null && typeof value === 'object') {
    return new Map(Object.keys(value).sort().map((key) => [key, hashableMetadata((value as Record<string, unknown>)[key])]));
  }
  return pythonStr(value);
}

/** dbt's `model` argument, which the unique id's hash reads. */
export function testedModelArgument(on: { resourceType: string; name: string; sourceName?: string }): string {
  const relation = on.resourceType === 'source' ? `source('${on.sourceName}', '${on.name}')` : `ref('${on.name}')`;
  return `{{ get_where_subquery(${relation}) }}`;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
