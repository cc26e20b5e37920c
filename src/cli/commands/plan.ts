import { NODE_KINDS } from '../../core/node-kinds.js';
import type { Plan } from '../../environments/plan.js';
import { planText } from '../../environments/plan-text.js';
import { buildOptions, type BuildArgs } from '../options.js';
import type { CliIO } from '../io.js';
import type { Command } from './command.js';
import { runNodes } from './run.js';

interface PlanArgs extends BuildArgs {
  autoApply: boolean;
  output: 'text' | 'json';
}

/**
 * `tsdbt plan [--env NAME]`: what would change in the environment, each change breaking or not, what must be computed;
 * applied (built, then promoted in one transaction) once confirmed, or at once with --auto-apply.
 */
export const planCommand: Command<PlanArgs> = {
  name: 'plan',
  usage: 'plan [env]',
  describe: 'Compare the project with a virtual environment, show what changes (breaking or not) and what must be computed, and apply it: build the missing versions, then repoint the environment in one transaction',
  examples: [
    ['tsdbt plan --env dev', 'plan the dev environment, show the changes and ask before applying'],
    ['tsdbt plan prod --auto-apply', "promote to prod what dev built: nothing is computed twice"],
    ['tsdbt plan dev --start 2024-06-01 --auto-apply', 'backfill microbatch models in dev from June only'],
    ['tsdbt plan --env dev --output json', 'the plan for tooling, without applying it'],
  ],
  options: (yargs) =>
    buildOptions(yargs)
      .positional('env', { type: 'string', describe: 'The environment (same as --env)' })
      .option('auto-apply', { type: 'boolean', default: false, describe: 'Apply without asking (CI)' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'json: print the plan as JSON (applied only with --auto-apply)' }) as never,
  run: (args, io) => {
    const positional = (args as { env?: string; _?: unknown[] })._?.[1];
    const env = args.env ?? (typeof positional === 'string' ? positional : undefined);
    const json = args.output === 'json';
    return runNodes({ ...args, env, quiet: args.quiet || json }, io, 'plan', [...NODE_KINDS], undefined, {
      show: (plan) => (json ? io.stdout(JSON.stringify(plan, null, 2)) : showPlan(plan, io)),
      confirm: (plan) => confirmPlan(plan, args, io),
    });
  },
};

function showPlan(plan: Plan, io: CliIO): void {
  for (const line of planText(plan, (node) => `${node.resourceType} ${node.name}`)) io.stdout(line);
}

async function confirmPlan(plan: Plan, args: PlanArgs, io: CliIO): Promise<boolean> {
  if (args.autoApply) return true;
  if (args.output === 'text' && io.ask) {
    const answer = await io.ask(`Apply this plan to environment '${plan.environment}'? [y/N] `);
    if (/^y(es)?$/i.test(answer.trim())) return true;
  }
  io.stderr(`Not applied: run \`tsdbt plan ${plan.environment} --auto-apply\` to apply it`);
  return false;
}
