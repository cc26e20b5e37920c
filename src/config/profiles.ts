import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { dialectOf, embeddedDialect, registeredDialects, type Target } from '../adapters/registry.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { maskSecretValues } from './secret-frames.js';
import { readYamlFile, validateYaml } from './yaml-file.js';
import { strictObject } from '../core/strict-object.js';
import { renderYamlTemplates } from './yaml-templates.js';

export const PROFILES_FILE = 'profiles.yml';

/**
 * Every registered dialect's output keys, one union on `type` (an unknown type lists the known ones); typed by `type`
 * alone, each dialect's profile reading the rest of its own output.
 */
const output = z.discriminatedUnion(
  'type',
  registeredDialects.map((dialect) => strictObject(dialect.profile.shape)) as [z.ZodObject<{ type: z.ZodLiteral<string> }, z.core.$loose>],
);

const profilesSchema = z.record(
  z.string(),
  strictObject({ target: z.string(), outputs: z.record(z.string(), z.unknown()) }),
);

export type { Target };

export interface ResolvedTarget {
  target: Target;
  /** Where it came from, for `tsdbt debug` and the one-line notice of the embedded default. */
  origin: { kind: 'profiles'; file: string } | { kind: 'embedded-default'; searched: string[] };
}

export interface ProfileOptions {
  projectRoot: string;
  profilesDir?: string;
  profile?: string;
  projectProfile?: string;
  target?: string;
  threads?: number;
}

/** tsdbt's places first, then dbt's: a dbt user's `~/.dbt/profiles.yml` serves as it is. */
export function profileSearchPath(options: Pick<ProfileOptions, 'projectRoot' | 'profilesDir'>): string[] {
  const dirs = [options.profilesDir, process.env.TSDBT_PROFILES_DIR, process.env.DBT_PROFILES_DIR, options.projectRoot, join(homedir(), '.tsdbt'), join(homedir(), '.dbt')];
  return dirs.filter((dir): dir is string => !!dir).map((dir) => resolve(dir));
}

export function resolveTarget(options: ProfileOptions): ResolvedTarget {
  const searched = profileSearchPath(options);
  const explicitDir = options.profilesDir ?? process.env.TSDBT_PROFILES_DIR ?? process.env.DBT_PROFILES_DIR;
  const found = searched.map((dir) => join(dir, PROFILES_FILE)).find((file) => existsSync(file));
  if (options.profilesDir && !existsSync(join(resolve(options.profilesDir), PROFILES_FILE))) {
    throw new TsdbtError('usage', `no ${PROFILES_FILE} in --profiles-dir ${resolve(options.profilesDir)}`);
  }
  const profileName = options.profile ?? options.projectProfile;
  if (!found || !profileName) return embeddedDefault(options, searched);

  // Parsed as YAML, then only what the selected output needs is rendered: other outputs may read variables unset here.
  const file = readYamlFile(found, found, { frameText: maskSecretValues });
  const profiles = validateYaml(file, profilesSchema);
  const profile = profiles[profileName];
  if (!profile) {
    if (!options.profile && !explicitDir) return embeddedDefault(options, searched);
    throw new TsdbtError('config', `profile '${profileName}' is not in ${found}`, {
      hint: didYouMean(profileName, Object.keys(profiles)) ?? `profiles there: ${Object.keys(profiles).join(', ') || 'none'}`,
    });
  }
  const targetName = options.target ?? renderYamlTemplates(file, [profileName, 'target'], profile.target, { allowSecrets: true });
  if (profile.outputs[targetName] === undefined) {
    throw new TsdbtError('config', `target '${targetName}' is not an output of profile '${profileName}'`, {
      location: file.locate([profileName, 'outputs']),
      hint: didYouMean(targetName, Object.keys(profile.outputs)) ?? `outputs: ${Object.keys(profile.outputs).join(', ')}`,
    });
  }
  const at = [profileName, 'outputs', targetName];
  const parsed = validateYaml(file, output, at, renderYamlTemplates(file, at, profile.outputs[targetName], { allowSecrets: true }));
  return {
    target: dialectOf(parsed).profile.target(parsed, {
      name: targetName,
      profileName,
      projectRoot: options.projectRoot,
      threads: options.threads,
      location: () => file.locate(at),
    }),
    origin: { kind: 'profiles', file: found },
  };
}

function embeddedDefault(options: ProfileOptions, searched: string[]): ResolvedTarget {
  const { profile, type } = embeddedDialect;
  const target = profile.target(strictObject(profile.shape).parse({ type }), {
    name: 'embedded',
    profileName: options.profile ?? options.projectProfile ?? 'embedded',
    projectRoot: options.projectRoot,
    threads: options.threads,
  });
  return { target, origin: { kind: 'embedded-default', searched } };
}

/** The target as artifacts and `debug` show it: never the password. */
export function describeTarget(target: Target): Record<string, unknown> {
  return dialectOf(target).profile.describe(target);
}
