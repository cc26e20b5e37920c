// The floor under tsdbt's embedded start: plain PGlite, with its default options, opening the data directory given
// (initdb first if it is new), running `select 1` and closing, as `tsdbt show --inline 'select 1'` does.
import { PGlite } from '@electric-sql/pglite';

const [dataDir] = process.argv.slice(2);
const db = await PGlite.create(dataDir);
await db.query('select 1');
await db.close();
