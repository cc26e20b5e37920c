import { derivedIdentifier } from '../adapters/sql.js';

/**
 * Relations a run builds in the node's schema before swapping them in (swap.ts). They outlive a run that is killed
 * between creating and dropping them, so the next run recognises and drops them (runner/leftovers.ts).
 */
const LEFTOVER_ROLES = ['tmp', 'backup'] as const;

/**
 * Session tables (scratch columns, staged rows), a merge's staged rows (dropped in its transaction) and renamed
 * constraints: gone with the session or the transaction.
 */
type SessionRole = 'cols' | 'incr' | 'batch' | 'snapshot' | 'query' | 'contract' | 'old' | 'merge';

export type TemporaryRole = (typeof LEFTOVER_ROLES)[number] | SessionRole;

const SUFFIX = (role: string, scope: string) => `__tsdbt_${role}_${scope}`;

/**
 * `<base>__tsdbt_<role>_<scope>`, shortened (with a hash) to the engine's identifier length. The scope is the run id
 * (a microbatch's session table: its batch), so two runs never collide on a fixed temporary name.
 */
export function temporaryName(base: string, role: TemporaryRole, scope: string, maxLength: number): string {
  return derivedIdentifier(base, SUFFIX(role, scope), maxLength);
}

// Run ids are hex (runner/run-task.ts).
const LEFTOVER = new RegExp(`${SUFFIX(`(?:${LEFTOVER_ROLES.join('|')})`, '[0-9a-f]+')}$`);

/** Whether `identifier` is a relation `temporaryName` made that a killed run can leave behind: never a user's relation. */
export function isLeftover(identifier: string): boolean {
  return LEFTOVER.test(identifier);
}
