import { TsdbtError } from '../core/errors.js';

/** An ISO 8601 date or timestamp; without an offset it is UTC, as event times are. */
export function parseInstant(text: string, what: string): Date {
  const trimmed = text.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(trimmed) ? trimmed : `${trimmed.replace(' ', 'T')}Z`;
  const instant = new Date(withZone);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(instant.getTime())) {
    throw new TsdbtError('usage', `${what} '${text}' is not a date or timestamp`, { hint: 'use ISO 8601, such as 2024-01-31 or 2024-01-31T06:00:00Z' });
  }
  return instant;
}
