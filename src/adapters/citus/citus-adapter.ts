import { TsdbtError } from '../../core/errors.js';
import type { AdapterCapabilities } from '../adapter.js';
import type { SqlDialect } from '../dialect.js';
import { PostgresAdapter } from '../postgres/postgres-adapter.js';
import { postgresCapabilities } from '../postgres/postgres-capabilities.js';
import { citusVersion } from './citus-extension.js';
import type { CitusTarget } from './citus-profile.js';

/**
 * Every session joins distributed tables on other columns than their distribution columns (repartitioning them between
 * workers): without it Citus refuses such joins, and a query that works on one node (a relationships test, a model
 * joining tables sharded differently) would fail on Citus.
 */
const SESSION_SETTINGS = { 'citus.enable_repartition_joins': 'on' };

/** A Citus coordinator through PostgreSQL's driver; `open()` checks that the citus extension is there. */
export class CitusAdapter extends PostgresAdapter {
  /** The installed citus extension's version, as `pg_extension` gives it. */
  citusVersion = '';

  constructor(target: CitusTarget, dialect: SqlDialect) {
    super(target, dialect, 'citus', SESSION_SETTINGS);
  }

  /** The engine the run uses, a postgres target found to be Citus included: the banner says which. */
  override get description(): string {
    // The version is known once open() has found the extension.
    return `Citus${this.citusVersion ? ` ${this.citusVersion}` : ''} coordinator ${this.location}`;
  }

  override get capabilities(): AdapterCapabilities {
    return postgresCapabilities(this.serverVersion, { distributedTables: true });
  }

  override async open(): Promise<void> {
    await super.open();
    const version = await this.withConnection(citusVersion);
    if (!version) {
      throw new TsdbtError('config', `${super.description} has no citus extension, which a target of type citus needs`, {
        hint: 'run `create extension citus` in that database (citus must be in shared_preload_libraries), or use type: postgres',
      });
    }
    this.citusVersion = version;
  }
}
