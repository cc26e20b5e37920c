/** The schema of tsdbt's own state: which files a seed table was loaded from, which microbatch batches landed. */
export const META_SCHEMA = 'tsdbt_meta';
