import { beforeAll, describe, expect, it } from 'vitest';
import { buildDocsData } from '../../src/docs/docs-data-builder.js';
import { indexProject } from '../../src/docs/site/project.js';
import { select as selectInDocs } from '../../src/docs/site/selector.js';
import { TsdbtError } from '../../src/core/errors.js';
import { selectNodes } from '../../src/graph/selection/index.js';
import { loadAndParse, type LoadedProject } from '../../src/parser/load-project.js';
import { makeProject } from '../helpers/project.js';

/*
 * One table of selectors, evaluated by the CLI (`selectNodes` on the parsed project's DAG) and by the docs site
 * (`select` on the data `docs generate` writes for the same project): both must give exactly the expected nodes.
 *
 *   source raw.orders ──────> stg_orders ───┐
 *   source stripe.payments ─> stg_payments ─┴─> orders ──> revenue (marts/finance) ──> revenue_not_negative (singular)
 *   source raw.customers ───> stg_customers ──────────┴──> customers                └─> unit test revenue_sums
 *   seed country_codes ─────┘                              orders: unique and not_null on order_id
 *   lonely (no parents, no children)
 */
const FILES: Record<string, string> = {
  'tsdbt_project.yml': 'name: shop\nprofile: shop\n',
  'seeds/country_codes.csv': 'code,country\nfr,France\n',
  'models/staging/sources.yml': `version: 2
sources:
  - name: raw
    tables:
      - name: orders
      - name: customers
        tags: [pii]
        meta: {owner: growth}
  - name: stripe
    tables:
      - name: payments
`,
  'models/staging/stg_orders.sql': 'select 1 as order_id from {{source "raw" "orders"}}',
  'models/staging/stg_payments.sql': 'select 1 as order_id, 10 as amount from {{source "stripe" "payments"}}',
  'models/staging/stg_customers.sql': 'select 1 as customer_id from {{source "raw" "customers"}} cross join {{ref "country_codes"}}',
  'models/marts/orders.sql': 'select o.order_id, p.amount from {{ref "stg_orders"}} o join {{ref "stg_payments"}} p using (order_id)',
  'models/marts/customers.sql': 'select * from {{ref "stg_customers"}} cross join {{ref "orders"}}',
  'models/marts/finance/revenue.sql': 'select sum(amount) as total from {{ref "orders"}}',
  'models/lonely.sql': 'select 1 as one',
  'models/schema.yml': `version: 2
models:
  - name: stg_orders
    config: {tags: [staging, nightly]}
  - name: stg_payments
    config: {tags: [staging, nightly], meta: {owner: finance}}
  - name: stg_customers
    config: {tags: [staging], materialized: ephemeral}
  - name: orders
    config: {tags: [nightly, finance], materialized: table}
    columns:
      - name: order_id
        tests: [unique, not_null]
  - name: customers
    config: {tags: [daily], materialized: table}
  - name: revenue
    config: {tags: [finance, nightly], meta: {owner: finance, priority: 1}}
unit_tests:
  - name: revenue_sums
    model: revenue
    given:
      - input: ref('orders')
        rows: [{order_id: 1, amount: 2}, {order_id: 2, amount: 3}]
    expect:
      rows: [{total: 5}]
`,
  'tests/revenue_not_negative.sql': 'select * from {{ref "revenue"}} where total < 0',
};

const UNIQUE = 'unique_orders_order_id';
const NOT_NULL = 'not_null_orders_order_id';
const ORDERS_TESTS = [NOT_NULL, UNIQUE];
const REVENUE_TESTS = ['revenue_not_negative', 'revenue_sums'];

/** Selector -> the names it selects (`raw.orders` for a source). Tests come along with what they test, as in dbt. */
const TABLE: Array<[selector: string, expected: string[]]> = [
  // Names, folders, fqn, globs.
  ['orders', ['orders', ...ORDERS_TESTS]],
  ['lonely', ['lonely']],
  ['staging', ['stg_customers', 'stg_orders', 'stg_payments']],
  ['marts.finance', ['revenue', ...REVENUE_TESTS]],
  ['shop.marts.finance.revenue', ['revenue', ...REVENUE_TESTS]],
  ['stg_*', ['stg_customers', 'stg_orders', 'stg_payments']],
  ['fqn:*customers', ['customers', 'stg_customers']],
  ['payments', []],
  // Graph operators.
  ['+orders', ['orders', 'raw.orders', 'stg_orders', 'stg_payments', 'stripe.payments', ...ORDERS_TESTS]],
  ['1+orders', ['orders', 'stg_orders', 'stg_payments', ...ORDERS_TESTS]],
  ['stg_orders+1', ['orders', 'stg_orders', ...ORDERS_TESTS]],
  ['orders+', ['customers', 'orders', 'revenue', ...ORDERS_TESTS, ...REVENUE_TESTS]],
  ['2+customers+', ['country_codes', 'customers', 'orders', 'raw.customers', 'stg_customers', 'stg_orders', 'stg_payments', ...ORDERS_TESTS]],
  ['@stg_payments', ['country_codes', 'customers', 'orders', 'raw.customers', 'raw.orders', 'revenue', 'stg_customers', 'stg_orders', 'stg_payments', 'stripe.payments', ...ORDERS_TESTS, ...REVENUE_TESTS]],
  ['lonely+ +lonely', ['lonely']],
  // Space is a union, comma an intersection (the docs site used to read a comma as a union).
  ['orders customers', ['customers', 'orders', ...ORDERS_TESTS]],
  ['tag:nightly,config.materialized:table', ['orders', ...ORDERS_TESTS]],
  ['tag:nightly,tag:staging', ['stg_orders', 'stg_payments']],
  ['+revenue,tag:staging', ['stg_orders', 'stg_payments']],
  ['tag:nightly,tag:daily', []],
  ['tag:daily lonely,path:models/lonely.sql', ['customers', 'lonely']],
  // Methods.
  ['tag:fin*', ['orders', 'revenue', ...ORDERS_TESTS, ...REVENUE_TESTS]],
  ['tag:pii', ['raw.customers']],
  ['path:models/staging', ['raw.customers', 'raw.orders', 'stg_customers', 'stg_orders', 'stg_payments', 'stripe.payments']],
  ['models/marts/finance', ['revenue', ...REVENUE_TESTS]],
  ['path:models/**/stg_*.sql', ['stg_customers', 'stg_orders', 'stg_payments']],
  ['seeds/country_codes.csv', ['country_codes']],
  ['config.materialized:ephemeral', ['stg_customers']],
  ['config.meta.owner:finance', ['revenue', 'stg_payments', ...REVENUE_TESTS]],
  ['config.meta.owner:growth', ['raw.customers']],
  ['config.meta.priority:1', ['revenue', ...REVENUE_TESTS]],
  ['resource_type:seed', ['country_codes']],
  ['resource_type:source', ['raw.customers', 'raw.orders', 'stripe.payments']],
  ['resource_type:unit_test', ['revenue_sums']],
  ['source:raw', ['raw.customers', 'raw.orders']],
  ['source:shop.stripe.payments+1', ['stg_payments', 'stripe.payments']],
  ['unique_id:model.shop.revenue', ['revenue', ...REVENUE_TESTS]],
  ['test_type:generic', ORDERS_TESTS],
  ['test_type:singular', ['revenue_not_negative']],
  ['test_type:unit', ['revenue_sums']],
];

/** Selectors both refuse, with the same message. */
const MALFORMED = ['orders+x', 'a,,b', '@orders+', 'tagg:x', 'tag.x:y', 'config:table', 'test_type:fast'];

describe('the CLI and the docs site select the same nodes', () => {
  let loaded: LoadedProject;
  let docs: ReturnType<typeof indexProject>;
  let nameOf: (id: string) => string;

  beforeAll(async () => {
    const project = makeProject(FILES);
    loaded = await loadAndParse({ projectDir: project.dir, vars: {} });
    docs = indexProject(buildDocsData({ loaded, compiled: new Map(), catalog: new Map(), lineage: {}, generatedAt: '2024-01-01T00:00:00Z' }));
    nameOf = (id) => {
      const node = loaded.graph.nodes.get(id)!;
      return 'sourceName' in node ? `${node.sourceName}.${node.name}` : node.name;
    };
  });

  const names = (ids: Iterable<string>) => [...ids].map(nameOf).sort();

  for (const [selector, expected] of TABLE) {
    it(selector, () => {
      expect(names(selectNodes(loaded.graph, { select: [selector] })), 'CLI').toEqual([...expected].sort());
      const inDocs = selectInDocs(docs, selector);
      expect(inDocs.error, 'docs').toBeUndefined();
      expect(names(inDocs.ids), 'docs').toEqual([...expected].sort());
    });
  }

  it('both refuse malformed selectors and unknown methods with the same message', () => {
    for (const selector of MALFORMED) {
      let cliError: unknown;
      try {
        selectNodes(loaded.graph, { select: [selector] });
      } catch (error) {
        cliError = error;
      }
      expect(cliError, selector).toBeInstanceOf(TsdbtError);
      expect(selectInDocs(docs, selector).error?.message, selector).toBe((cliError as TsdbtError).message);
    }
  });

  it('the docs say they cannot evaluate state: rather than match nothing', () => {
    const { error, ids } = selectInDocs(docs, 'orders state:modified+');
    expect(ids.size).toBe(0);
    expect(error?.message).toBe("the docs cannot evaluate 'state:modified+': it compares the project with an earlier run's manifest, which only the command line reads (--state DIR)");
  });

  it('the docs name the criteria that matched nothing, and what the selector matched before graph operators', () => {
    const { unmatched, matched } = selectInDocs(docs, '+orders nothing_here tag:none,orders');
    expect(unmatched).toEqual(['nothing_here', 'tag:none']);
    expect(names(matched)).toEqual(['orders']);
  });
});
