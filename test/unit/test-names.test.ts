import { describe, expect, it } from 'vitest';
import { genericTestUniqueId, splitTestName, synthesizeTestNames, testedModelArgument, type GenericTestMetadata } from '../../src/parser/test-names.js';
import { pythonRepr, pythonStr } from '../../src/util/python-text.js';

/**
 * Expected names and ids are dbt's, worked out by hand from its rule (dbt-core's `synthesize_generic_test_names`:
 * `<test>_<tested>_<arguments>`, 30 characters and an md5 from 64 on; `create_test_node`: `test.<project>.<name>.`
 * and the last 10 hex digits of md5(name + Python's repr of the metadata, keys sorted, leaves as text)). The jaffle_shop
 * ones are those of dbt's example project's manifest.
 */
function dbtTest(project: string, written: string, on: { resourceType: 'model' | 'source'; name: string; sourceName?: string }, args: Record<string, unknown>) {
  const { namespace, name } = splitTestName(written);
  const kwargs = { ...args, model: testedModelArgument(on) };
  const prefix = `${namespace ? `${namespace}_` : ''}${on.resourceType === 'source' ? 'source_' : ''}${name}`;
  const names = synthesizeTestNames(prefix, on.resourceType === 'source' ? `${on.sourceName}_${on.name}` : on.name, kwargs);
  const metadata: GenericTestMetadata = { name, namespace, kwargs };
  return { ...names, uniqueId: genericTestUniqueId(project, names.fullName, metadata) };
}

const model = (name: string) => ({ resourceType: 'model' as const, name });

describe("generic tests' names and unique ids, as dbt makes them", () => {
  it("equals jaffle_shop's", () => {
    expect(dbtTest('jaffle_shop', 'unique', model('customers'), { column_name: 'customer_id' }).uniqueId).toBe('test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1');
    expect(dbtTest('jaffle_shop', 'not_null', model('customers'), { column_name: 'customer_id' }).uniqueId).toBe('test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d');
    expect(dbtTest('jaffle_shop', 'relationships', model('orders'), { column_name: 'customer_id', to: "ref('customers')", field: 'customer_id' }).uniqueId).toBe(
      'test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2',
    );
  });

  it('truncates a name of 64 characters or more to 30 and the md5 of the whole for the relation, not for the id', () => {
    const test = dbtTest('jaffle_shop', 'accepted_values', model('orders'), { column_name: 'status', values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] });
    expect(test).toEqual({
      fullName: 'accepted_values_orders_status__placed__shipped__completed__return_pending__returned',
      shortName: 'accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758',
      uniqueId: 'test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3',
    });
    const payments = dbtTest('jaffle_shop', 'accepted_values', model('stg_payments'), { column_name: 'payment_method', values: ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] });
    expect(payments.shortName).toBe('accepted_values_stg_payments_c7909fb19b1f0177c2bf99c7912f06ef');
    expect(payments.uniqueId).toBe('test.jaffle_shop.accepted_values_stg_payments_payment_method__credit_card__coupon__bank_transfer__gift_card.3c3820f278');
  });

  it('names a source table\'s test source_<test>_<source>_<table>', () => {
    expect(dbtTest('shop', 'unique', { resourceType: 'source', sourceName: 'raw', name: 'orders' }, { column_name: 'id' }).uniqueId).toBe('test.shop.source_unique_raw_orders_id.56401af608');
  });

  it('puts a package before the name, and hashes without it in the name', () => {
    expect(dbtTest('shop', 'dbt_utils.expression_is_true', model('orders'), { expression: 'amount >= 0' }).uniqueId).toBe('test.shop.dbt_utils_expression_is_true_orders_amount_0.23e56bc9d2');
    const combination = dbtTest('shop', 'dbt_utils.unique_combination_of_columns', model('orders'), { combination_of_columns: ['a', 'b'], x: { k: [1, 2], b: 'y' } });
    expect(combination.shortName).toBe(combination.fullName);
    expect(combination.uniqueId).toBe('test.shop.dbt_utils_unique_combination_of_columns_orders_a__b___1_2___y.4b29b7fdee');
  });

  it("sorts the arguments by name, column_name among them, as Python writes them; a test of no argument ends in '_'", () => {
    expect(dbtTest('shop', 'my_test', model('orders'), {}).uniqueId).toBe('test.shop.my_test_orders_.3308895328');
    expect(dbtTest('shop', 'accepted_values', model('orders'), { column_name: 'status', values: ['a', "it's"], quote: false }).uniqueId).toBe('test.shop.accepted_values_orders_status__False__a__it_s.a98faf05c0');
    expect(dbtTest('shop', 'accepted_range', model('orders'), { column_name: 'amount', min_value: 0, max_value: 1.5, inclusive: true }).uniqueId).toBe('test.shop.accepted_range_orders_amount__True__1_5__0.c3bb987c61');
    expect(
      dbtTest('shop', 'mutually_exclusive_ranges', model('orders'), { lower_bound_column: 'a', upper_bound_column: 'b', partition_by: 'c', gaps: 'not_allowed', zero_length_range_allowed: null }).uniqueId,
    ).toBe('test.shop.mutually_exclusive_ranges_orders_not_allowed__a__c__b__None.acf3343af2');
  });
});

describe("Python's text of YAML values", () => {
  it('writes repr() and str() as Python does', () => {
    expect(pythonRepr({ a: [1, 'x', null, true], "it's": 'say "hi"' })).toBe(`{'a': [1, 'x', None, True], "it's": 'say "hi"'}`);
    expect(pythonRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pythonRepr('tab\there\u00a0é\u0001')).toBe("'tab\\there\\xa0é\\x01'");
    expect(pythonStr(['a', 2.5])).toBe("['a', 2.5]");
    expect(pythonStr(1e-7)).toBe('1e-07');
  });
});
