import { Graph } from '@dagrejs/graphlib';
import { describe, expect, it } from 'vitest';
import { TsdbtError } from '../../src/core/errors.js';
import type { GraphNode, SourceNode } from '../../src/core/nodes.js';
import type { NodeConfig } from '../../src/core/node-config.js';
import { selectNodes, type PreviousState, type SelectionGraph, type SelectionOptions } from '../../src/graph/selection/index.js';

/*
 * The project under test:
 *
 *   source raw.orders ──────> stg_orders ───┐
 *   source stripe.payments ─> stg_payments ─┴─> orders ──> revenue (marts/finance)
 *   source raw.customers ───> stg_customers ──────────┴──> customers
 *   seed country_codes ─────┘
 *   lonely (no parents, no children)
 */
const PROJECT = 'shop';

function model(name: string, path: string, parents: string[], config: Partial<NodeConfig> = {}, resourceType: 'model' | 'seed' = 'model'): GraphNode {
  const folders = path.split('/').slice(1, -1);
  const node = {
    uniqueId: `${resourceType}.${PROJECT}.${name}`,
    name,
    packageName: PROJECT,
    originalFilePath: path,
    fqn: [PROJECT, ...folders, name],
    rawCode: `select 1 as ${name}`,
    checksum: `sum-${name}`,
    config: { enabled: true, materialized: 'view', tags: [], meta: {}, ...config },
    description: '',
    columns: {},
    refs: [],
    sources: [],
    dependsOn: parents,
    relation: { schema: 'analytics', identifier: name },
  };
  return resourceType === 'seed' ? { ...node, resourceType, seed: { kind: 'file', format: 'csv', file: path } } : { ...node, resourceType };
}

function source(sourceName: string, name: string, tags: string[] = []): SourceNode {
  return {
    uniqueId: `source.${PROJECT}.${sourceName}.${name}`,
    resourceType: 'source',
    sourceName,
    name,
    packageName: PROJECT,
    originalFilePath: 'models/staging/sources.yml',
    fqn: [PROJECT, 'staging', sourceName, name],
    description: '',
    columns: {},
    relation: { schema: sourceName, identifier: name },
    tags,
    meta: {},
  };
}

const S = (sourceName: string, name: string) => `source.${PROJECT}.${sourceName}.${name}`;
const M = (name: string) => `model.${PROJECT}.${name}`;

function buildProject(): SelectionGraph {
  const nodes: Array<GraphNode | SourceNode> = [
    source('raw', 'orders'),
    source('raw', 'customers', ['pii']),
    source('stripe', 'payments'),
    model('country_codes', 'seeds/country_codes.csv', [], { materialized: 'seed' }, 'seed'),
    model('stg_orders', 'models/staging/stg_orders.sql', [S('raw', 'orders')], { tags: ['staging', 'nightly'] }),
    model('stg_payments', 'models/staging/stg_payments.sql', [S('stripe', 'payments')], { tags: ['staging', 'nightly'], meta: { owner: 'finance' } }),
    model('stg_customers', 'models/staging/stg_customers.sql', [S('raw', 'customers'), `seed.${PROJECT}.country_codes`], { tags: ['staging'], meta: { owner: 'growth' } }),
    model('orders', 'models/marts/orders.sql', [M('stg_orders'), M('stg_payments')], { materialized: 'table', tags: ['nightly', 'finance'] }),
    model('customers', 'models/marts/customers.sql', [M('stg_customers'), M('orders')], { materialized: 'table', tags: ['daily'] }),
    model('revenue', 'models/marts/finance/revenue.sql', [M('orders')], { materialized: 'incremental', tags: ['finance', 'nightly'], meta: { owner: 'finance', priority: 1 } }),
    model('lonely', 'models/lonely.sql', [], { enabled: true, schema: 'misc' }),
  ];
  const graph = new Graph({ directed: true });
  const map = new Map<string, GraphNode | SourceNode>();
  for (const node of nodes) {
    map.set(node.uniqueId, node);
    graph.setNode(node.uniqueId);
  }
  for (const node of nodes) if ('dependsOn' in node) for (const parent of node.dependsOn) graph.setEdge(parent, node.uniqueId);
  return { graph, nodes: map };
}

const project = buildProject();

/** Readable, order-free names of what was selected: `raw.orders` for sources, the name otherwise. */
function names(options: SelectionOptions, graph: SelectionGraph = project): string[] {
  return [...selectNodes(graph, options)]
    .map((id) => {
      const node = graph.nodes.get(id)!;
      return node.resourceType === 'source' && 'sourceName' in node ? `${node.sourceName}.${node.name}` : node.name;
    })
    .sort();
}

const sel = (...select: string[]) => names({ select });

function usageError(run: () => unknown): TsdbtError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TsdbtError);
    expect((error as TsdbtError).kind).toBe('usage');
    return error as TsdbtError;
  }
  throw new Error('expected a usage error');
}

const ALL_BUT_SOURCES = ['country_codes', 'customers', 'lonely', 'orders', 'revenue', 'stg_customers', 'stg_orders', 'stg_payments'];

describe('no selection', () => {
  it('selects every node but sources', () => {
    expect(names({})).toEqual(ALL_BUT_SOURCES);
    expect(names({ select: [] })).toEqual(ALL_BUT_SOURCES);
  });

  it('still applies --exclude and resource types', () => {
    expect(names({ exclude: ['tag:staging', 'lonely'] })).toEqual(['country_codes', 'customers', 'orders', 'revenue']);
    expect(names({ resourceTypes: ['seed'] })).toEqual(['country_codes']);
  });

  it('returns nodes in the order of the node map', () => {
    expect([...selectNodes(project, { select: ['revenue stg_orders', 'orders'] })]).toEqual([M('stg_orders'), M('orders'), M('revenue')]);
  });
});

describe('graph operators', () => {
  it('selects the node alone without operators', () => {
    expect(sel('orders')).toEqual(['orders']);
  });

  it('+name adds all ancestors, sources included', () => {
    expect(sel('+orders')).toEqual(['orders', 'raw.orders', 'stg_orders', 'stg_payments', 'stripe.payments']);
  });

  it('name+ adds all descendants', () => {
    expect(sel('stg_orders+')).toEqual(['customers', 'orders', 'revenue', 'stg_orders']);
  });

  it('+name+ adds both', () => {
    expect(sel('+stg_payments+')).toEqual(['customers', 'orders', 'revenue', 'stg_payments', 'stripe.payments']);
  });

  it('limits the depth with N+name and name+N', () => {
    expect(sel('1+orders')).toEqual(['orders', 'stg_orders', 'stg_payments']);
    expect(sel('2+customers')).toEqual(['country_codes', 'customers', 'orders', 'raw.customers', 'stg_customers', 'stg_orders', 'stg_payments']);
    expect(sel('stg_orders+1')).toEqual(['orders', 'stg_orders']);
    expect(sel('stg_orders+2')).toEqual(['customers', 'orders', 'revenue', 'stg_orders']);
    expect(sel('0+orders+0')).toEqual(['orders']);
  });

  it('@name adds descendants and all their ancestors', () => {
    expect(sel('@stg_orders')).toEqual([
      'country_codes',
      'customers',
      'orders',
      'raw.customers',
      'raw.orders',
      'revenue',
      'stg_customers',
      'stg_orders',
      'stg_payments',
      'stripe.payments',
    ]);
    expect(sel('@revenue')).toEqual(['orders', 'raw.orders', 'revenue', 'stg_orders', 'stg_payments', 'stripe.payments']);
  });

  it('applies to every method', () => {
    expect(sel('+tag:finance')).toEqual(['orders', 'raw.orders', 'revenue', 'stg_orders', 'stg_payments', 'stripe.payments']);
    expect(sel('path:models/staging/stg_customers.sql+')).toEqual(['customers', 'stg_customers']);
  });

  it('does not select a node just because it has no edges', () => {
    expect(sel('lonely+', '+lonely')).toEqual(['lonely']);
  });
});

describe('unions, intersections, exclusion', () => {
  it('takes the union of space-separated selectors and of arguments', () => {
    expect(sel('orders customers', 'lonely')).toEqual(['customers', 'lonely', 'orders']);
    expect(sel('  orders   revenue ')).toEqual(['orders', 'revenue']);
  });

  it('takes the intersection of comma-separated selectors', () => {
    expect(sel('tag:nightly,config.materialized:table')).toEqual(['orders']);
    expect(sel('tag:nightly,tag:staging')).toEqual(['stg_orders', 'stg_payments']);
    expect(sel('+revenue,tag:staging')).toEqual(['stg_orders', 'stg_payments']);
    expect(sel('tag:nightly,tag:daily')).toEqual([]);
  });

  it('removes the union of --exclude', () => {
    expect(names({ select: ['+orders'], exclude: ['tag:staging source:stripe'] })).toEqual(['orders', 'raw.orders']);
    expect(names({ select: ['stg_orders+'], exclude: ['orders+'] })).toEqual(['stg_orders']);
  });

  it('filters by resource type last', () => {
    expect(names({ select: ['+customers'], resourceTypes: ['model'] })).toEqual(['customers', 'orders', 'stg_customers', 'stg_orders', 'stg_payments']);
    expect(names({ select: ['+customers'], resourceTypes: ['seed', 'source'] })).toEqual(['country_codes', 'raw.customers', 'raw.orders', 'stripe.payments']);
  });
});

describe('methods', () => {
  it('fqn: name, folder, dotted path with or without the project, globs', () => {
    expect(sel('fqn:orders')).toEqual(['orders']);
    expect(sel('staging')).toEqual(['stg_customers', 'stg_orders', 'stg_payments']);
    expect(sel('marts')).toEqual(['customers', 'orders', 'revenue']);
    expect(sel('marts.finance')).toEqual(['revenue']);
    expect(sel('shop.marts.finance.revenue')).toEqual(['revenue']);
    expect(sel('marts.finance.revenue')).toEqual(['revenue']);
    expect(sel('shop.staging')).toEqual(['stg_customers', 'stg_orders', 'stg_payments']);
    expect(sel('stg_*')).toEqual(['stg_customers', 'stg_orders', 'stg_payments']);
    expect(sel('*customers')).toEqual(['customers', 'stg_customers']);
    expect(sel('marts.*')).toEqual(['customers', 'orders', 'revenue']);
    expect(sel('shop')).toEqual(ALL_BUT_SOURCES);
  });

  it('fqn: leaves sources to source:; folders match from the top, whole', () => {
    expect(sel('payments')).toEqual([]);
    expect(sel('stag')).toEqual([]);
    // As in dbt, a nested folder is named by its path from the top (marts.finance), not by its own name.
    expect(sel('finance')).toEqual([]);
  });

  it('path: file, folder, globs, ./ and trailing slashes; the default for paths', () => {
    expect(sel('path:models/staging')).toEqual(['raw.customers', 'raw.orders', 'stg_customers', 'stg_orders', 'stg_payments', 'stripe.payments']);
    expect(sel('path:./models/marts/')).toEqual(['customers', 'orders', 'revenue']);
    expect(sel('models/marts/finance')).toEqual(['revenue']);
    expect(sel('models/marts/orders.sql')).toEqual(['orders']);
    expect(sel('path:models/*/stg_*.sql')).toEqual(['stg_customers', 'stg_orders', 'stg_payments']);
    expect(sel('path:models/**/revenue.sql')).toEqual(['revenue']);
    expect(sel('path:models/**/*.sql')).toEqual(['customers', 'lonely', 'orders', 'revenue', 'stg_customers', 'stg_orders', 'stg_payments']);
    expect(sel('seeds/country_codes.csv')).toEqual(['country_codes']);
    expect(sel('path:models/stag')).toEqual([]);
  });

  it('tag: model config tags and source tags, globs', () => {
    expect(sel('tag:nightly')).toEqual(['orders', 'revenue', 'stg_orders', 'stg_payments']);
    expect(sel('tag:pii')).toEqual(['raw.customers']);
    expect(sel('tag:fin*')).toEqual(['orders', 'revenue']);
  });

  it('config.<key>: values as text, nested keys, list elements', () => {
    expect(sel('config.materialized:table')).toEqual(['customers', 'orders']);
    expect(sel('config.materialized:incremental')).toEqual(['revenue']);
    expect(sel('config.meta.owner:finance')).toEqual(['revenue', 'stg_payments']);
    expect(sel('config.meta.priority:1')).toEqual(['revenue']);
    expect(sel('config.tags:daily')).toEqual(['customers']);
    expect(sel('config.schema:misc')).toEqual(['lonely']);
    expect(sel('config.enabled:true')).toEqual(ALL_BUT_SOURCES);
    expect(sel('config.meta:finance')).toEqual([]);
  });

  it('resource_type:', () => {
    expect(sel('resource_type:seed')).toEqual(['country_codes']);
    expect(sel('resource_type:source')).toEqual(['raw.customers', 'raw.orders', 'stripe.payments']);
  });

  it('source: by source, by table, globs, with operators', () => {
    expect(sel('source:raw')).toEqual(['raw.customers', 'raw.orders']);
    expect(sel('source:raw.orders')).toEqual(['raw.orders']);
    expect(sel('source:shop.stripe.payments')).toEqual(['stripe.payments']);
    expect(sel('source:*.orders')).toEqual(['raw.orders']);
    expect(sel('source:raw.orders+')).toEqual(['customers', 'orders', 'raw.orders', 'revenue', 'stg_orders']);
    expect(sel('source:stripe+1')).toEqual(['stg_payments', 'stripe.payments']);
  });

  it('unique_id:', () => {
    expect(sel('unique_id:model.shop.orders')).toEqual(['orders']);
    expect(sel('unique_id:source.shop.raw.orders')).toEqual(['raw.orders']);
    expect(sel('unique_id:model.shop.order')).toEqual([]);
  });
});

describe('state:', () => {
  // The earlier run: revenue did not exist, orders had another body, customers another config.
  const previous: PreviousState = { nodes: {} };
  for (const node of project.nodes.values()) {
    if (node.resourceType === 'source' || !('checksum' in node) || node.name === 'revenue') continue;
    // Keys in another order must not count as a change.
    const config = Object.fromEntries(Object.entries(node.config).reverse());
    previous.nodes[node.uniqueId] = { checksum: node.checksum, config };
  }
  previous.nodes[M('orders')]!.checksum = 'old body';
  previous.nodes[M('customers')]!.config = { ...(project.nodes.get(M('customers')) as GraphNode).config, materialized: 'view' };
  const withState = (select: string, exclude?: string) => names({ select: [select], exclude: exclude ? [exclude] : undefined, state: previous });

  it('new: not in the earlier manifest', () => {
    expect(withState('state:new')).toEqual(['revenue']);
  });

  it('modified: new, other body or other config', () => {
    expect(withState('state:modified')).toEqual(['customers', 'orders', 'revenue']);
    expect(withState('state:modified.body')).toEqual(['orders', 'revenue']);
    expect(withState('state:modified.configs')).toEqual(['customers', 'revenue']);
  });

  it('combines with operators and exclusion', () => {
    expect(withState('state:modified+', 'state:new')).toEqual(['customers', 'orders']);
    expect(withState('state:modified,config.materialized:table')).toEqual(['customers', 'orders']);
  });

  it('counts sources as new only when the earlier sources are known', () => {
    expect(names({ select: ['state:new'], state: { ...previous, sources: { [S('raw', 'orders')]: {} } } })).toEqual(['raw.customers', 'revenue', 'stripe.payments']);
  });

  it('needs --state', () => {
    const error = usageError(() => sel('state:modified'));
    expect(error.message).toContain('--state DIR');
    usageError(() => names({ exclude: ['state:new'] }));
  });

  it('rejects an unknown state', () => {
    const error = usageError(() => withState('state:modifed'));
    expect(error.message).toContain("unknown state 'modifed'");
    expect(error.hint).toContain("'modified'");
  });
});

describe('errors and empty matches', () => {
  it('rejects an unknown method with a suggestion', () => {
    const error = usageError(() => sel('tagg:x'));
    expect(error.message).toBe("unknown selector method 'tagg' in 'tagg:x'");
    expect(error.hint).toContain("'tag'");
  });

  it('checks --exclude before selecting', () => {
    expect(usageError(() => names({ select: ['orders'], exclude: ['confg.materialized:table'] })).message).toContain("unknown selector method 'confg'");
  });

  it('rejects malformed selectors', () => {
    for (const bad of ['', '   ', 'a,,b', 'orders,', '+', 'orders+x', 'x+orders', '1.5+orders', '@orders+', '@2+orders', 'tag:', 'config:table', 'tag.x:y']) {
      usageError(() => sel(bad));
    }
    expect(usageError(() => sel('orders+x')).message).toContain("malformed selector 'orders+x'");
  });

  it('returns an empty set when nothing matches', () => {
    expect(sel('no_such_model')).toEqual([]);
    expect(sel('+no_such_model+')).toEqual([]);
    expect(sel('tag:none')).toEqual([]);
    expect(names({ select: ['orders'], resourceTypes: ['seed'] })).toEqual([]);
  });

  it('works on an empty project', () => {
    expect(names({ select: ['tag:x'] }, { graph: new Graph(), nodes: new Map() })).toEqual([]);
    expect(names({}, { graph: new Graph(), nodes: new Map() })).toEqual([]);
  });
});
