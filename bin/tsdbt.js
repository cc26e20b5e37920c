#!/usr/bin/env node
import { main } from '../dist/tsdbt.mjs';

process.exitCode = await main(process.argv.slice(2));
