import { runInNewContext } from 'node:vm';
import type { DocsData } from '../../src/docs/docs-data.js';
import { DEFAULT_PROJECT_FILE, type TestProject } from './project.js';

/**
 * A small project for the docs and lineage tests: a CSV seed, an ephemeral staging model, a table over it with `*`, a
 * view aggregating that in a CTE, and a property file whose description carries a script tag (rendered as text).
 */
export const SHOP_PROJECT: Record<string, string> = {
  'seeds/raw_orders.csv': 'id,customer,amount,placed_at\n1,ann,10.50,2024-01-01T10:00:00Z\n2,bob,20.25,2024-01-02T11:00:00Z\n3,ann,5.00,2024-01-03T12:00:00Z\n',
  'models/staging/stg_orders.sql': '{{config materialized="ephemeral"}}\nselect id as order_id, lower(customer) as customer, amount::numeric(16, 2) as amount from {{ref "raw_orders"}}',
  // A reference table on Citus (inert elsewhere): a copy on every node, the coordinator's a shard the catalog must not list.
  'models/orders.sql': '{{config materialized="table" distribution="reference"}}\nselect * from {{ref "stg_orders"}}',
  'models/customer_totals.sql': `{{config materialized="view"}}
with totals as (
  select customer, sum(amount) as total, count(*) as orders from {{ref "orders"}} group by customer
)
select t.customer as customer_name, t.total * 100 as total_cents, t.orders
from totals as t`,
  'models/schema.yml': `version: 2
models:
  - name: orders
    description: "One row per order. <script>window.pwned = 1</script> **bold**"
    columns:
      - name: order_id
        description: The order's id.
        tests: [unique, not_null]
      - name: amount
        data_type: numeric(16,2)
  - name: customer_totals
    description: Totals per customer.
    config: {tags: [finance]}
`,
};

/** The same project with virtual environments: each node's version a physical table, an environment views onto them. */
export const VIRTUAL_SHOP_PROJECT: Record<string, string> = { ...SHOP_PROJECT, 'tsdbt_project.yml': `${DEFAULT_PROJECT_FILE}virtual_environments: true\n` };

/** What `docs generate` handed the site: target/docs/data.js run as the page runs it. */
export function readDocsData(project: TestProject): DocsData {
  const sandbox: { window: { __TSDBT_DOCS__?: DocsData } } = { window: {} };
  runInNewContext(project.read('target/docs/data.js'), sandbox);
  return sandbox.window.__TSDBT_DOCS__!;
}
