import { loadProject } from '../../config/project.js';
import { describeTarget, resolveTarget } from '../../config/profiles.js';
import { openAdapter } from '../../adapters/registry.js';
import { TSDBT_VERSION } from '../../version.js';
import { parseVars, statementLogFile } from '../options.js';
import type { Command } from './command.js';

export const debugCommand: Command = {
  name: 'debug',
  describe: 'Show the versions, the project, the profile and target in use, the dialect it runs with (and why), and test the connection',
  examples: [['tsdbt debug -t prod', 'check the prod target can be reached']],
  async run(args, io) {
    parseVars(args.vars);
    io.stdout(`tsdbt ${TSDBT_VERSION}, Node.js ${process.version}`);
    const project = loadProject(args.projectDir);
    io.stdout(`project: ${project.name} (${project.root}/${project.file.path})`);
    for (const note of project.notes) io.stdout(`  note: ${note}`);
    const resolved = resolveTarget({
      projectRoot: project.root,
      profilesDir: args.profilesDir,
      profile: args.profile,
      projectProfile: project.profile,
      target: args.target,
      threads: args.threads,
    });
    io.stdout(
      resolved.origin.kind === 'profiles'
        ? `profile: ${resolved.target.profileName}, target ${resolved.target.name} (${resolved.origin.file})`
        : `profile: none found in ${resolved.origin.searched.join(', ')}; using the embedded PGlite default`,
    );
    for (const [key, value] of Object.entries(describeTarget(resolved.target))) io.stdout(`  ${key}: ${String(value)}`);
    const statementLog = statementLogFile(args);
    if (statementLog) io.stdout(`statement log: ${statementLog} (every statement is appended)`);
    const { adapter, detected } = await openAdapter(resolved.target, { statementLog });
    try {
      await adapter.withConnection((connection) => connection.query('select 1'));
      io.stdout(`connection: OK (server_version_num ${adapter.serverVersion})`);
      io.stdout(`dialect: ${adapter.type} (${detected ?? `the target's type`})`);
    } finally {
      await adapter.close().catch(() => undefined);
    }
    return 0;
  },
};
