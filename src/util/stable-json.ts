/** JSON with every object's keys sorted, so that equal values give equal text (for comparing and hashing configs). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.keys(inner).sort().map((k) => [k, (inner as Record<string, unknown>)[k]]))
      : inner,
  );
}
