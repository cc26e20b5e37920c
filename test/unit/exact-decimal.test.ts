import { describe, expect, it } from 'vitest';
import { decimalOf, fraction, numericMismatch, roundTo } from '../helpers/exact-decimal.js';

describe('exact decimal checks of stored numerics', () => {
  it('accepts an exact value whatever its trailing zeros, and a quotient rounded at its scale with 16+ digits', () => {
    expect(numericMismatch('4044.5700', decimalOf('4044.57'))).toBeUndefined();
    expect(numericMismatch('0.33333333333333333333', fraction(1n, 3n))).toBeUndefined();
    expect(numericMismatch('0.66666666666666666667', fraction(2n, 3n))).toBeUndefined();
    expect(numericMismatch('-0.66666666666666666667', fraction(-2n, 3n))).toBeUndefined();
  });

  it('refuses a value rounded for display, a wrong last digit and a truncation', () => {
    expect(numericMismatch('0.333', fraction(1n, 3n))).toMatch(/3 significant digits/);
    expect(numericMismatch('0.33333333333333333334', fraction(1n, 3n))).toMatch(/not 1\/3 rounded to 20 decimals/);
    expect(numericMismatch('0.66666666666666666666', fraction(2n, 3n))).toMatch(/rounded/);
    expect(numericMismatch('4044.58', decimalOf('4044.57'))).toMatch(/rounded/);
  });

  it('reads decimals and exponents exactly', () => {
    expect(decimalOf('-12.340')).toEqual({ num: -12340n, den: 1000n });
    expect(decimalOf('1e3')).toEqual({ num: 1000n, den: 1n });
    expect(decimalOf('2.5E-2')).toEqual({ num: 25n, den: 1000n });
    expect(decimalOf('+.5')).toEqual({ num: 5n, den: 10n });
    expect(decimalOf('-7.')).toEqual({ num: -7n, den: 1n });
    expect(() => decimalOf('.')).toThrow(/not a decimal/);
    expect(roundTo(fraction(5n, 2n), 0)).toEqual({ num: 3n, den: 1n });
    expect(roundTo(fraction(-5n, 2n), 0)).toEqual({ num: -3n, den: 1n });
  });
});
