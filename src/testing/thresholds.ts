import { TsdbtError } from '../core/errors.js';

/** `warn_if` / `error_if` as dbt writes them: a comparison with a number, `!=0`, `>10`, `>= 5`. */
const CONDITION = /^\s*(>=|<=|!=|<>|==|=|>|<)\s*(\d+)\s*$/;

const COMPARE: Record<string, (failures: number, bound: number) => boolean> = {
  '>': (f, b) => f > b,
  '>=': (f, b) => f >= b,
  '<': (f, b) => f < b,
  '<=': (f, b) => f <= b,
  '=': (f, b) => f === b,
  '==': (f, b) => f === b,
  '!=': (f, b) => f !== b,
  '<>': (f, b) => f !== b,
};

export function meetsCondition(condition: string, failures: number, where: string): boolean {
  const match = CONDITION.exec(condition);
  if (!match) throw new TsdbtError('config', `${where} '${condition}' is not a condition on the failure count`, { hint: "write it as dbt does: '!=0', '>10', '>=5'" });
  return COMPARE[match[1]!]!(failures, Number(match[2]));
}

export type TestStatus = 'pass' | 'warn' | 'fail';

/** dbt's rule: with severity error, error_if decides fail, then warn_if decides warn; with severity warn, only warn_if. */
export function testStatus(failures: number, config: Readonly<Record<string, unknown>>): { status: TestStatus; condition: string } {
  const warnIf = String(config.warn_if ?? '!=0');
  const errorIf = String(config.error_if ?? '!=0');
  if (config.severity !== 'warn' && meetsCondition(errorIf, failures, 'error_if')) return { status: 'fail', condition: errorIf };
  if (meetsCondition(warnIf, failures, 'warn_if')) return { status: 'warn', condition: warnIf };
  return { status: 'pass', condition: config.severity === 'warn' ? warnIf : errorIf };
}
