import { z } from 'zod';
import { didYouMean } from './errors.js';

/** z.strictObject whose unknown-key issues carry a "did you mean" hint built from the known keys. */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? (didYouMean(String(issue.keys[0]), known) ?? `known keys: ${known.join(', ')}`)
        : undefined,
  });
}
