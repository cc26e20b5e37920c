/**
 * Exact checks of PostgreSQL numeric values against results computed in the tests as fractions of integers, so an
 * analysis table is compared to the last digit it stores, never within a tolerance.
 */

/** A fraction of integers; `den` is positive. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

export const fraction = (num: bigint, den: bigint = 1n): Fraction => (den < 0n ? { num: -num, den: -den } : { num, den });

/** A decimal's text (a JSON number's, or what PostgreSQL casts to numeric) as an exact fraction: `1e-3`, `+.5`, `4044.57`. */
export function decimalOf(value: number | string): Fraction {
  const text = String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole = '', decimals = '', exponentText = '0'] = match;
  const num = BigInt(`${whole}${decimals}` || '0') * (sign === '-' ? -1n : 1n);
  const exponent = Number(exponentText) - decimals.length;
  return exponent >= 0 ? fraction(num * 10n ** BigInt(exponent)) : fraction(num, 10n ** BigInt(-exponent));
}

export const add = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const sum = (values: Fraction[]): Fraction => values.reduce(add, fraction(0n));
export const divide = (a: Fraction, b: Fraction): Fraction => fraction(a.num * b.den, a.den * b.num);
export const equal = (a: Fraction, b: Fraction): boolean => a.num * b.den === b.num * a.den;

/** `value` rounded half away from zero to `scale` decimals, as PostgreSQL's numeric division rounds. */
export function roundTo(value: Fraction, scale: number): Fraction {
  const den = 10n ** BigInt(scale);
  const scaled = value.num * den;
  const magnitude = scaled < 0n ? -scaled : scaled;
  const rounded = (2n * magnitude + value.den) / (2n * value.den);
  return fraction(scaled < 0n ? -rounded : rounded, den);
}

/**
 * Why `stored` (a numeric's text) is not `exact` at full precision, or undefined when it is: either the same value,
 * or, for a quotient that has no finite decimal, `exact` rounded at the stored scale with at least 16 significant
 * digits (PostgreSQL's least for a division or an average), so a value rounded for display (`round(x, 3)`) is caught.
 */
export function numericMismatch(stored: string, exact: Fraction): string | undefined {
  const value = decimalOf(stored);
  if (equal(value, exact)) return undefined;
  const scale = stored.includes('.') ? stored.length - stored.indexOf('.') - 1 : 0;
  const significant = stored.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  if (!equal(value, roundTo(exact, scale))) return `${stored} is not ${describe(exact)} rounded to ${scale} decimals`;
  if (significant < 16) return `${stored} keeps ${significant} significant digits of ${describe(exact)}, fewer than 16`;
  return undefined;
}

const describe = (f: Fraction): string => (f.den === 1n ? String(f.num) : `${f.num}/${f.den}`);
