import { join } from 'node:path';
import { loadProject, type Project } from '../config/project.js';
import { resolveTarget, type ResolvedTarget, type Target } from '../config/profiles.js';
import { buildGraph, type ProjectGraph } from '../graph/dag.js';
import { TemplateEnvironment } from '../templating/environment.js';
import { loadMacros } from '../templating/macro-loader.js';
import { PARSE_CACHE_FILE } from './parse-cache.js';
import { parseProject, type ParsedProject } from './project-parser.js';

export interface LoadOptions {
  projectDir: string;
  profilesDir?: string;
  profile?: string;
  target?: string;
  threads?: number;
  vars: Record<string, unknown>;
  /** Reuse what an earlier parse of unchanged files gave (`<target>/partial_parse.tsv`); default true. */
  partialParse?: boolean;
  /** Called with the target as soon as it is resolved, before the parse: the database can be opened meanwhile. */
  onTarget?: (target: Target) => void;
}

export interface LoadedProject {
  project: Project;
  resolved: ResolvedTarget;
  parsed: ParsedProject;
  graph: ProjectGraph;
}

/** The parse steps in order: project file, profile and target, macros, property files and models, then the graph. */
export async function loadAndParse(options: LoadOptions): Promise<LoadedProject> {
  const project = loadProject(options.projectDir);
  const resolved = resolveTarget({
    projectRoot: project.root,
    profilesDir: options.profilesDir,
    profile: options.profile,
    projectProfile: project.profile,
    target: options.target,
    threads: options.threads,
  });
  options.onTarget?.(resolved.target);
  const cacheDir = join(project.root, '.tsdbt', 'cache');
  const macros = await loadMacros(project.root, project.macroPaths, cacheDir);
  const env = new TemplateEnvironment(macros);
  const { target } = resolved;
  const { parsed, parseCache } = await parseProject({
    project,
    env,
    target: { name: target.name, schema: target.schema, type: target.type, threads: target.threads, profile_name: target.profileName },
    cliVars: options.vars,
    cacheDir,
    parseCachePath: options.partialParse === false ? undefined : join(project.root, project.targetPath, PARSE_CACHE_FILE),
  });
  const graph = buildGraph(parsed);
  parseCache.save();
  return { project, resolved, parsed, graph };
}
