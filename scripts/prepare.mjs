// npm's prepare: builds dist/ after an install from a clone. The first `npx tsdbt` in a clone runs it again (npx
// installs the package it runs into its own cache, as a link to this folder, and that install prepares it): seconds
// added to the first command for the dist/ the install has just built, so under npx an existing dist/ is kept.
import { existsSync } from 'node:fs';

if (process.env.npm_command !== 'exec' || !existsSync('dist/tsdbt.mjs')) await import('./build.mjs');
