/** The schema of tsdbt's own state: which files a seed table was loaded from, which microbatch batches landed. */
export const META_SCHEMA = 'tsdbt_meta';

/** PostgreSQL's NAMEDATALEN - 1, shared by every engine tsdbt runs on: where a name is made before an adapter is open. */
export const MAX_IDENTIFIER_LENGTH = 63;
