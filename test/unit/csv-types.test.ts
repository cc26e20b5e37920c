import { describe, expect, it } from 'vitest';
import { ColumnTypeInference, fits, type InferredType } from '../../src/loaders/csv/column-types.js';

function infer(values: string[]): InferredType {
  const inference = new ColumnTypeInference();
  for (const value of values) inference.observe(value);
  return inference.type;
}

describe('fits', () => {
  it.each([
    ['0', true],
    ['-42', true],
    ['+7', true],
    ['007', true],
    ['2147483647', true],
    ['-2147483648', true],
    ['2147483648', false],
    ['-2147483649', false],
    ['1.0', false],
    ['1e3', false],
    ['', false],
    [' 12', false],
    ['12 ', false],
    ['1_000', false],
    ['0x1F', false],
    ['-', false],
  ])('integer %j → %s', (value, expected) => expect(fits('integer', value)).toBe(expected));

  it.each([
    ['2147483648', true],
    ['9223372036854775807', true],
    ['-9223372036854775808', true],
    ['00000000000000000000000042', true],
    ['9223372036854775808', false],
    ['-9223372036854775809', false],
    ['12345678901234567890', false],
  ])('bigint %j → %s', (value, expected) => expect(fits('bigint', value)).toBe(expected));

  it.each([
    ['1.5', true],
    ['-0.25', true],
    ['.5', true],
    ['-.5', true],
    ['5.', true],
    ['1e10', true],
    ['2.5E-3', true],
    ['+3', true],
    ['9223372036854775808', true],
    ['NaN', false],
    ['Infinity', false],
    ['-Infinity', false],
    ['.', false],
    ['1e', false],
    ['1.2.3', false],
    ['1,5', false],
    [' 1.5', false],
    ['1e99999', false],
  ])('numeric %j → %s', (value, expected) => expect(fits('numeric', value)).toBe(expected));

  it.each([
    ['true', true],
    ['FALSE', true],
    ['True', true],
    ['t', false],
    ['1', false],
    ['0', false],
    ['yes', false],
    ['no', false],
    [' true', false],
  ])('boolean %j → %s', (value, expected) => expect(fits('boolean', value)).toBe(expected));

  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2024-02-30', false],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['0000-01-01', false],
    ['2024-1-01', false],
    ['2024/01/01', false],
    ['20240101', false],
    [' 2024-01-01', false],
    ['2024-01-01 ', false],
  ])('date %j → %s', (value, expected) => expect(fits('date', value)).toBe(expected));

  it.each([
    ['2024-01-01 10:30', true],
    ['2024-01-01T10:30:59', true],
    ['2024-01-01 23:59:59.123456', true],
    ['2024-01-01', true],
    ['2024-01-01 24:00', false],
    ['2024-01-01 10:60', false],
    ['2024-01-01 10:30:60', false],
    ['2024-01-01 10:30:00.', false],
    ['2024-01-01 10', false],
    ['2024-01-01t10:30', false],
    ['2024-02-30 10:30', false],
    ['2024-01-01 10:30Z', false],
    ['2024-01-01 10:30:00+02:00', false],
  ])('timestamp %j → %s', (value, expected) => expect(fits('timestamp', value)).toBe(expected));

  it.each([
    ['2024-01-01T10:30:00Z', true],
    ['2024-01-01 10:30+02', true],
    ['2024-01-01 10:30:00.5-05:30', true],
    ['2024-01-01 10:30:00+0530', true],
    ['2024-01-01 10:30:00+15:59', true],
    ['2024-01-01 10:30:00+16:00', false],
    ['2024-01-01 10:30:00+02:60', false],
    ['2024-01-01 10:30:00+2', false],
    ['2024-01-01 10:30:00+02:0', false],
    ['2024-01-01 10:30:00 +02', false],
    ['2024-01-01 10:30:00', false],
    ['2024-01-01', false],
  ])('timestamptz %j → %s', (value, expected) => expect(fits('timestamptz', value)).toBe(expected));

  it('text fits anything', () => expect(fits('text', ' anything ')).toBe(true));
});

describe('ColumnTypeInference', () => {
  it('is text when nothing was observed', () => expect(new ColumnTypeInference().type).toBe('text'));

  it.each<[string[], InferredType]>([
    [['1', '2', '-3'], 'integer'],
    [['1', '2147483647'], 'integer'],
    [['1', '2147483648'], 'bigint'],
    [['-2147483649', '5'], 'bigint'],
    [['1', '9223372036854775807'], 'bigint'],
    [['1', '9223372036854775808'], 'numeric'],
    [['1', '2.5'], 'numeric'],
    [['1', '1e3'], 'numeric'],
    [['1', 'NaN'], 'text'],
    [['1', ' 12'], 'text'],
    [['1', ''], 'text'],
    [['TRUE', 'false', 'True'], 'boolean'],
    [['1', 'true'], 'text'],
    [['true', 'yes'], 'text'],
    [['2024-02-29', '2024-03-01'], 'date'],
    [['2024-02-29', '2023-02-29'], 'text'],
    [['2024-01-01', '2024-01-02 10:00'], 'timestamp'],
    [['2024-01-02 10:00', '2024-01-01'], 'timestamp'],
    [['2024-01-01T10:00:00Z', '2024-06-01 10:00+02:00'], 'timestamptz'],
    // zone-less and zoned together are ambiguous
    [['2024-01-01 10:00', '2024-01-01T10:00:00Z'], 'text'],
    [['2024-01-01', '2024-01-01T10:00:00Z'], 'text'],
    [['20240101', '2024-01-01'], 'text'],
    [['1', '2024-01-01'], 'text'],
    [['abc', '1'], 'text'],
  ])('%j → %s', (values, expected) => expect(infer(values)).toBe(expected));

  it('stays text once it is text', () => {
    const inference = new ColumnTypeInference();
    inference.observe('x');
    inference.observe('1');
    expect(inference.type).toBe('text');
  });
});
