// The floor under a cold `tsdbt compile`: only create one file per model (same folders, same sizes) in a fresh
// folder, as target/compiled gets, with nothing else. On a slow disk this, not parsing, dominates a cold compile.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [projectDir, outDir] = process.argv.slice(2);
const copy = (relative) => {
  mkdirSync(join(outDir, relative), { recursive: true });
  for (const entry of readdirSync(join(projectDir, relative), { withFileTypes: true })) {
    const path = join(relative, entry.name);
    if (entry.isDirectory()) copy(path);
    else if (entry.name.endsWith('.sql')) writeFileSync(join(outDir, path), readFileSync(join(projectDir, path)));
  }
};
copy('models');
